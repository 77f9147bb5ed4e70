#!/bin/bash
# Records the golden outputs of test/vmx/payloads/*.asm from the Bochs oracle (../shared/oracle, Bochs 2.7,
# cpu model corei7_skylake_x): payloads/NAME.bochs.out is exactly what Bochs printed. payloads/NAME.out is
# what the tests compare with: a copy of the Bochs output, except where Bochs departs from the SDM - those
# lines are corrected by hand and each correction is listed in payloads/README.md (SDM section and why).
# Usage: test/vmx/record-golden.sh [NAME...]     (default: every payload)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
oracle=$(cd "$here/../../../shared/oracle" && pwd)
cd "$here/payloads"
names=("$@")
if [ ${#names[@]} -eq 0 ]; then
    for f in *.asm; do names+=("${f%.asm}"); done
fi
for n in "${names[@]}"; do
    echo "recording $n" >&2
    "$oracle/run.sh" "$n.asm" -I "$here/payloads/" > "$n.bochs.out"   # -I: the payloads' own includes
    if [ ! -f "$n.out" ]; then cp "$n.bochs.out" "$n.out"; fi
done
