#!/bin/bash
# `silk secret` as a user runs it: writes [[secret_settings]] into a slightfile
# (ABI.md §5, Appendix C). With the key "magickey" the value "articles" must
# encrypt to Appendix C's test vector, so the file content is known exactly.
# Usage: secret_test.sh SILK
set -u
silk="$1"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
export TMPDIR="$work"
fail() { echo "FAIL: $*"; echo "--- slightfile:"; cat "$work/slightfile.toml" 2>/dev/null; exit 1; }

cd "$work"
printf 'magickey' > .slightkey
cat > slightfile.toml <<'TOML'
specversion = "0.2"

[[capability]]
resource = "keyvalue.redis"
name = "kv"
    [capability.configs]
    REDIS_ADDRESS = "${usersecrets.redis}"
TOML

# The subcommand's -c.
"$silk" secret -k redis -v articles -c slightfile.toml || fail "silk secret exited $?"
grep -qx '\[\[secret_settings\]\]' slightfile.toml || fail "no [[secret_settings]]"
grep -qx 'name = "redis"' slightfile.toml || fail "no name = \"redis\""
grep -qx "value = '2E87Wx52-Tvo'\|value = \"2E87Wx52-Tvo\"" slightfile.toml || fail "value is not Appendix C's vector"
grep -q 'REDIS_ADDRESS = .${usersecrets.redis}.' slightfile.toml || fail "capability configs lost"
grep -q 'secret_store' slightfile.toml && fail "0.2 file got a secret_store"

# slight's form: -c before the subcommand; the same name again replaces it.
"$silk" -c slightfile.toml secret --key redis --value articles2 || fail "silk -c ... secret exited $?"
[[ "$(grep -c '^name = "redis"' slightfile.toml)" == 1 ]] || fail "secret 'redis' duplicated"
grep -q '2E87Wx52-Tvo' slightfile.toml && fail "value not replaced"

# Without -c: ./slightfile.toml. A second name is appended.
"$silk" secret -k other -v x || fail "silk secret (default file) exited $?"
[[ "$(grep -c '^\[\[secret_settings\]\]' slightfile.toml)" == 2 ]] || fail "second secret not appended"

# Spec 0.1: secret_store becomes configs.usersecrets.
printf 'specversion = "0.1"\n\n[[capability]]\nname = "kv.redis"\n' > v01.toml
"$silk" -c v01.toml secret -k REDIS_ADDRESS -v articles || fail "0.1: exited $?"
grep -qx 'secret_store = "configs.usersecrets"' v01.toml || fail "0.1: no secret_store"
grep -q '2E87Wx52-Tvo' v01.toml || fail "0.1: value is not Appendix C's vector"

# Errors: a missing file and a bad slightfile give one line and exit 1, file untouched.
out="$("$silk" secret -k a -v b -c absent.toml 2>&1)"; rc=$?
[[ $rc == 1 && "$out" == "Error: "*absent.toml* ]] || fail "missing file: rc=$rc out=$out"
printf 'specversion = "0.3"\n' > bad.toml
out="$("$silk" secret -k a -v b -c bad.toml 2>&1)"; rc=$?
[[ $rc == 1 && "$out" == *"unknown variant"* ]] || fail "bad file: rc=$rc out=$out"
[[ "$(cat bad.toml)" == 'specversion = "0.3"' ]] || fail "bad file was modified"
echo "PASS"
