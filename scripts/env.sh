# Sourced by the scripts: Go from ../shared/tools/go-env.sh when present, and pwsh on PATH.
_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
if [ -f "$_root/../shared/tools/go-env.sh" ]; then
  # shellcheck disable=SC1091
  source "$_root/../shared/tools/go-env.sh"
fi
export PATH="$HOME/.dotnet/tools:$PATH"
unset _root
