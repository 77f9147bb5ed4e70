; %stacksize/%arg/%local (nasm manual 4.8): argument and local slots as (ebp+n)/(ebp-n) defines, %$localsize,
; for the four stack models; parenthesized register sums in addresses.
bits 32
%push mycontext
%stacksize flat
%assign %$localsize 0
%arg i:word, j_ptr:dword, k:qword, b:byte
%local x:dword, y:word, z:qword, w:byte
enter %$localsize, 0
mov ax, [i]
mov eax, [j_ptr]
mov eax, [x]
mov cx, [y]
mov al, [w]
mov eax, [k]
mov bl, [b]
%pop
bits 64
%push c2
%stacksize flat64
%assign %$localsize 0
%arg p:qword, q:dword
%local l1:qword, l2:byte
mov rax, [p]
mov eax, [q]
mov [l1], rax
mov [l2], al
dq %$localsize
%pop
bits 16
%push c3
%stacksize large
%assign %$localsize 0
%arg a1:word, a2:dword
%local v1:word
mov ax, [a1]
mov [v1], ax
mov eax, [a2]
dw %$localsize
%pop
%push c4
%stacksize small
%assign %$localsize 0
%arg s1:word
%local s2:word, s3:dword
mov ax, [s1]
mov [s2], ax
mov eax, [s3]
dw %$localsize
%pop
bits 32
mov eax, [(ebx+4)+(ecx*2)]
lea esi, [eax+(ebx)]
