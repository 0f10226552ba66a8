# solver.sh — what every reference solution (tests/labs/solve_NAME.sh) starts with,
# sourced as `. "$(dirname "$0")/solver.sh"` with the solver's own arguments
# (TCPLAB OUT LAB-OPTIONS...): takes TCPLAB and OUT off them, so "$@" is left with the
# options that select the variant (--student ID, or --ticket FILE). Sets
#   tcplab out     the binary and the answer file to write
#   here src       tests/labs/ and the source tree (the client module on PYTHONPATH: an
#                  installed tcplab finds its own; this one may be a copied binary, as
#                  tests/unit/lab_check.sh runs it)
#   student        the --student value ("" with a ticket)
#   tmp            a scratch directory, removed on exit
# and the functions `no MESSAGE` (fail the solver) and `answers_head LAB` (an answer file's
# first lines).
set -eu
tcplab=$1 out=$2
shift 2
here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "$here/../.." && pwd)
solver=$(basename "$0" .sh)
PYTHONPATH="$src/attach${PYTHONPATH:+:$PYTHONPATH}"
export PYTHONPATH
student=$(printf '%s\n' "$@" | awk 'prev == "--student" { print } { prev = $0 }')
tmp=$(mktemp -d "/tmp/$solver.XXXXXX")
trap 'rm -rf "$tmp"' EXIT INT TERM
no() { echo "$solver: $*" >&2; exit 1; }
answers_head() {
    [ -z "$student" ] || echo "student = $student"
    echo "lab = $1"
}
