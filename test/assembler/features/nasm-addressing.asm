; Effective addresses as nasm reads them: a sum of registers with coefficients (a register written twice
; adds up), base = the first register with coefficient 1 unless it was written multiplied, an index with
; coefficient 0 disappears.
bits 32
mov eax, [ebx+eax]
mov eax, [eax+ebx]
mov eax, [ebx*0+eax]
mov eax, [eax*2+eax*0]
mov eax, [eax*2+eax*2]
mov eax, [eax + ebx*0]
mov eax, [eax*0 + ebx]
mov eax, [eax*1 + ebx]
mov eax, [eax + eax*0 + 8]
mov eax, [ecx*0]
mov eax, [ecx*0+8]
mov eax, [ebx + ecx*2 + ecx*0]
mov eax, [ebx*1 + ecx*1]
mov eax, [esp*1 + ecx]
mov eax, [ebx + esp*0]
mov eax, [2*eax + eax*1]
mov eax, [eax*3 + eax]
lea esi, [edi*4 + edi + 16]
bits 64
mov rax, [rbx*1 + rcx]
mov rax, [r12*2 + r12*0 + 8]
lea rdx, [rax + rax*8]
