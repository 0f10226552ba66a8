#!/bin/sh
# standalone_check.sh — the repository stands alone: no tracked file may point a reader at
# notes outside it (the design notes, reference notes and seed material a session kept beside
# the repository). A user has the repository and the installed binary only; what they need is
# written here, in docs/ (tcplab(1), tcplab-scenario(5), docs/facts/*.md), with its sources.
#
# Usage: sh tests/unit/standalone_check.sh   (run by `make unit`; the argument is ignored)
# Fails, listing FILE:LINE, when any tracked text file names the outside notes folder (dot-dot-slash plus its name), design.md,
# reference/NAME.md, seeds/, or one of the outside notes by file name.
cd "$(dirname "$0")/../.." || exit 2
self=tests/unit/standalone_check.sh
if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
    files=$(git ls-files | grep -v -x -F "$self")
else    # a tarball without .git: every file but build output
    files=$(find . -type f ! -path './.git/*' ! -path './build*' ! -name tcplab | sed 's|^\./||' |
            grep -v -x -F "$self")
fi
# The patterns are spelled in pieces so that this file does not match itself if it is ever
# checked by another copy of the test.
sh_="shar""ed"; pat="\.\./$sh_|design\.md|refer""ence/[A-Za-z0-9_.-]*\.md|see""ds/"
pat="$pat|stacks-and-off""path\.md|anch""ors\.md|tui-bridge-""labs\.md"
hits=$(printf '%s\n' "$files" | tr '\n' '\0' | xargs -0 grep -I -n -E "$pat" -- 2>/dev/null)
if [ -n "$hits" ]; then
    echo "standalone_check: these files point outside the repository (write it in docs/ instead):" >&2
    printf '%s\n' "$hits" >&2
    exit 1
fi
echo "standalone_check: no tracked file names notes outside the repository"
