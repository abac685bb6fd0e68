#!/usr/bin/env bash
# The CLI and the server are users of the public API only (docs/ARCHITECTURE.md, issue 13): every
# non-test source under src/cli may include
#   "ailake/..."  the public headers (include/ailake/)
#   "cli/..."     the CLI's own headers
#   "serve/..."   the HTTP server layer (`ailake serve`), itself held to the same rule below
#   <...>         standard C++/C headers, the POSIX headers the CLI needs (isatty, signals, threads),
#                 and <nlohmann/...>
# and every non-test source under src/serve may include "ailake/...", "serve/...", standard and
# POSIX headers, <nlohmann/...> and <httplib.h>
# and nothing else; and the public headers include/ailake/*.h include only "ailake/..." and
# standard headers (nothing from src/, no third-party header a user would need to install).
#
# Prints one line per offending include, "file:line: ...", and exits 1 when there is any.
# Usage: scripts/check_public_api.sh [REPO_ROOT]   (default: the repository holding this script)
set -euo pipefail

root="${1:-$(cd "$(dirname "$0")/.." && pwd)}"
cd "$root"

# C++ standard library headers (C++20) and the C headers' <cxxx> forms.
cxx_std="algorithm any array atomic barrier bit bitset charconv chrono codecvt compare complex concepts
condition_variable coroutine deque exception execution expected filesystem format forward_list fstream
functional future initializer_list iomanip ios iosfwd iostream istream iterator latch limits list locale
map memory memory_resource mutex new numbers numeric optional ostream queue random ranges ratio regex
scoped_allocator semaphore set shared_mutex source_location span sstream stack stdexcept stop_token
streambuf string string_view syncstream system_error thread tuple type_traits typeindex typeinfo
unordered_map unordered_set utility valarray variant vector version
cassert cctype cerrno cfenv cfloat cinttypes climits clocale cmath csetjmp csignal cstdarg cstddef
cstdint cstdio cstdlib cstring ctime cuchar cwchar cwctype"
# C standard headers and the POSIX ones a command-line program legitimately uses.
c_posix="assert.h ctype.h errno.h fenv.h float.h inttypes.h limits.h locale.h math.h setjmp.h signal.h
stdarg.h stddef.h stdint.h stdio.h stdlib.h string.h time.h uchar.h wchar.h wctype.h
unistd.h fcntl.h poll.h pthread.h termios.h sys/ioctl.h sys/socket.h sys/stat.h sys/types.h sys/wait.h
netinet/in.h netinet/tcp.h arpa/inet.h"

declare -A std_ok=()
for h in $cxx_std $c_posix; do std_ok[$h]=1; done

fail=0
report() {  # file line message
  echo "$1:$2: $3"
  fail=1
}

# check FILE MODE: MODE cli = the CLI rules, public = the public-header rules.
check() {
  local file="$1" mode="$2" n=0 line target kind
  while IFS= read -r line || [[ -n "$line" ]]; do
    n=$((n + 1))
    [[ "$line" =~ ^[[:space:]]*#[[:space:]]*include[[:space:]]*([\"\<])([^\"\>]*)[\"\>] ]] || continue
    kind="${BASH_REMATCH[1]}"
    target="${BASH_REMATCH[2]}"
    if [[ "$kind" == '"' ]]; then
      case "$mode:$target" in
        cli:ailake/* | cli:cli/* | cli:serve/* | serve:ailake/* | serve:serve/* | public:ailake/*) continue ;;
      esac
      if [[ "$mode" == public ]]; then
        report "$file" "$n" "public header includes \"$target\": include/ailake/ may include only \"ailake/...\" and standard headers"
      elif [[ "$mode" == serve ]]; then
        report "$file" "$n" "includes \"$target\": src/serve may include only \"ailake/...\" (the public API), \"serve/...\", standard headers, nlohmann and httplib"
      else
        report "$file" "$n" "includes \"$target\": src/cli may include only \"ailake/...\" (the public API), \"cli/...\", standard headers and nlohmann"
      fi
    else
      [[ -n "${std_ok[$target]:-}" ]] && continue
      if [[ "$mode" != public && "$target" == nlohmann/* ]]; then continue; fi
      if [[ "$mode" == serve && "$target" == httplib.h ]]; then continue; fi
      if [[ "$mode" == public ]]; then
        report "$file" "$n" "public header includes <$target>: include/ailake/ may include only \"ailake/...\" and standard headers"
      elif [[ "$mode" == serve ]]; then
        report "$file" "$n" "includes <$target>: src/serve may include only \"ailake/...\" (the public API), \"serve/...\", standard headers, nlohmann and httplib"
      else
        report "$file" "$n" "includes <$target>: src/cli may include only \"ailake/...\" (the public API), \"cli/...\", standard headers and nlohmann"
      fi
    fi
  done <"$file"
}

# Test sources (gtest, test utilities) may reach into the layers: they check the CLI from outside.
while IFS= read -r f; do
  case "$f" in
    *_test.cc | *_test_util.h) continue ;;
  esac
  check "$f" cli
done < <(find src/cli -type f \( -name '*.cc' -o -name '*.h' -o -name '*.cpp' \) | sort)

while IFS= read -r f; do
  case "$f" in
    *_test.cc | *_test_util.h) continue ;;
  esac
  check "$f" serve
done < <(find src/serve -type f \( -name '*.cc' -o -name '*.h' \) 2>/dev/null | sort)

while IFS= read -r f; do
  check "$f" public
done < <(find include/ailake -type f -name '*.h' | sort)

if [[ $fail -ne 0 ]]; then
  echo "check_public_api: FAILED (see docs/API.md: the CLI and the server use the public API only)" >&2
  exit 1
fi
echo "check_public_api: ok"
