# bash completion for netcap                                  -*- shell-script -*-
#
# Installed as $(PREFIX)/share/bash-completion/completions/netcap by
# `make install`; from a build tree: source completions/netcap.bash.
# Nothing here is a copy of netcap's flags: commands, subcommands, flags and
# record type names are read from the binary's own help (`netcap -h`,
# `netcap TOOL -h`, `netcap capture -h`), once per shell and binary, so the
# completion always matches the netcap being completed. dump's -select,
# -top and -where complete field names from `netcap dump -read FILE -fields`.

declare -gA _netcap_cache 2>/dev/null || true

# _netcap_help BIN ARGS...: the help text of BIN ARGS -h, cached
_netcap_help()
{
    local bin=$1
    shift
    local key="$bin $*"
    if [[ -z ${_netcap_cache[$key]+set} ]]; then
        _netcap_cache[$key]=$("$bin" "$@" -h 2>&1)
    fi
    printf '%s\n' "${_netcap_cache[$key]}"
}

# the words of a help section: the first word of each indented line after
# the line "HEADING:" up to the next blank line
_netcap_section()
{
    awk -v h="$1" '$0 == h { on = 1; next } on && /^$/ { exit } on && /^  [a-z]/ { print $1 }'
}

_netcap_flags()
{
    # the flags section only: the description may show flags too
    _netcap_help "$@" | awk '/^flags/ { on = 1; next } on && /^  -/ { sub(",", "", $1); if ($1 != "-h") print $1 }' |
        sort -u
}

_netcap_types()
{
    _netcap_help "$1" capture |
        awk '/^record types/ { on = 1; next } on { gsub(/[ ,]+/, "\n"); print; exit }' | sed '/^$/d'
}

_netcap_fields()
{
    local bin=$1 file=$2
    [[ -r $file ]] || return
    "$bin" dump -read "$file" -fields 2>/dev/null | awk '{ print $1 }'
}

# complete the last element of a comma list
_netcap_list()
{
    local cur=$1
    shift
    local prefix="" last=$cur
    if [[ $cur == *,* ]]; then
        prefix=${cur%,*},
        last=${cur##*,}
    fi
    local w
    COMPREPLY=()
    while IFS= read -r w; do
        [[ -n $w ]] && COMPREPLY+=("$prefix$w")
    done < <(compgen -W "$*" -- "$last")
    compopt -o nospace 2>/dev/null
}

_netcap()
{
    local cur=${COMP_WORDS[COMP_CWORD]}
    local prev=""
    ((COMP_CWORD > 0)) && prev=${COMP_WORDS[COMP_CWORD - 1]}
    local bin=${COMP_WORDS[0]}
    bin=${bin/#\~/$HOME}
    if ! command -v "$bin" >/dev/null 2>&1; then
        bin=netcap
    fi
    COMPREPLY=()

    if ((COMP_CWORD == 1)); then
        mapfile -t COMPREPLY < <(compgen -W "$(_netcap_help "$bin" | _netcap_section "commands:")" -- "$cur")
        return 0
    fi

    local tool=${COMP_WORDS[1]} sub=""
    local -a cmd=("$tool")
    if [[ $tool == util ]]; then
        if ((COMP_CWORD == 2)); then
            mapfile -t COMPREPLY < <(compgen -W "$(_netcap_help "$bin" util | _netcap_section "subcommands:")" -- "$cur")
            return 0
        fi
        sub=${COMP_WORDS[2]}
        cmd=(util "$sub")
    fi

    # the value of the flag before the cursor
    case ${prev#-} in
        -read | read)
            mapfile -t COMPREPLY < <(compgen -f -- "$cur")
            compopt -o filenames 2>/dev/null
            return 0
            ;;
        -out | out)
            if [[ $tool == capture ]]; then
                mapfile -t COMPREPLY < <(compgen -d -- "$cur")
            else
                mapfile -t COMPREPLY < <(compgen -f -- "$cur")
            fi
            compopt -o filenames 2>/dev/null
            return 0
            ;;
        -iface | iface)
            mapfile -t COMPREPLY < <(compgen -W "$(ls /sys/class/net 2>/dev/null)" -- "$cur")
            return 0
            ;;
        -include | include | -exclude | exclude)
            _netcap_list "$cur" $(_netcap_types "$bin")
            return 0
            ;;
        -compress | compress)
            mapfile -t COMPREPLY < <(compgen -W "zstd gzip none" -- "$cur")
            return 0
            ;;
        -format | format)
            mapfile -t COMPREPLY < <(compgen -W "proto csv json" -- "$cur")
            return 0
            ;;
        -time | time)
            if [[ $tool == dump ]]; then
                mapfile -t COMPREPLY < <(compgen -W "utc local unix ns" -- "$cur")
                return 0
            fi
            ;;
        -select | select | -top | top)
            local i file=""
            for ((i = 2; i < COMP_CWORD; i++)); do
                case ${COMP_WORDS[i]} in
                    -read | --read) file=${COMP_WORDS[i + 1]} ;;
                    -read=* | --read=*) file=${COMP_WORDS[i]#*=} ;;
                esac
            done
            _netcap_list "$cur" $(_netcap_fields "$bin" "${file/#\~/$HOME}")
            return 0
            ;;
        -bpf | bpf | -where | where | -snaplen | snaplen | -workers | workers | -level | level | \
            -conn-timeout | conn-timeout | -max-flows | max-flows | -max-memory | max-memory | \
            -stream-depth | stream-depth | -stream-memcap | stream-memcap | \
            -stream-buffer | stream-buffer | -sep | sep | -struct-begin | struct-begin | \
            -struct-end | struct-end | -struct-sep | struct-sep | -list-sep | list-sep | \
            -begin | begin | -end | end | -k | k | -n | n)
            return 0 # a value of the user's
            ;;
    esac

    if [[ $cur == --* ]]; then # --name works as -name does
        mapfile -t COMPREPLY < <(compgen -P - -W "$(_netcap_flags "$bin" "${cmd[@]}")" -- "${cur#-}")
        return 0
    fi
    if [[ $cur == -* ]]; then
        mapfile -t COMPREPLY < <(compgen -W "$(_netcap_flags "$bin" "${cmd[@]}")" -- "$cur")
        return 0
    fi
    # util check/stats take files and directories
    if [[ $tool == util && ($sub == check || $sub == stats) ]]; then
        mapfile -t COMPREPLY < <(compgen -f -- "$cur")
        compopt -o filenames 2>/dev/null
    fi
    return 0
} &&
    complete -F _netcap netcap
