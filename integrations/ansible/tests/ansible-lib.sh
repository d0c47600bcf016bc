# SPDX-License-Identifier: MIT
# integrations/ansible/tests/ansible-lib.sh - sourced by tests/integration/ansible*.test after
# lib.sh: the collection copied where Ansible finds it (and where ansible-test may write its
# output), Ansible's own state kept in $T, and ap PLAYBOOK ARGS...: ansible-playbook with the
# json callback (stdout in $OUT, exit code in $HF_RC), then ap_stat HOST KEY from its stats.
command -v ansible-playbook >/dev/null 2>&1 ||
	skip_all "ansible-playbook is not installed (apt-get install ansible-core)"

ANS_SRC=$top_srcdir/integrations/ansible
: >"$T/ansible.cfg" # no ansible.cfg of the machine or the working directory
COLL=$T/collections/ansible_collections/hostfish/bmc
mkdir -p "$(dirname "$COLL")" "$T/home" "$T/results"
cp -r "$ANS_SRC/ansible_collections/hostfish/bmc" "$COLL" || bail_out "cannot copy the collection"
chmod -R u+w "$COLL"
export ANSIBLE_COLLECTIONS_PATH=$T/collections ANSIBLE_HOME=$T/home/.ansible \
	ANSIBLE_LOCAL_TEMP=$T/home/tmp ANSIBLE_REMOTE_TEMP=$T/home/tmp \
	ANSIBLE_NOCOLOR=1 ANSIBLE_RETRY_FILES_ENABLED=0 ANSIBLE_HOST_KEY_CHECKING=0 \
	ANSIBLE_PYTHON_INTERPRETER=/usr/bin/python3 ANSIBLE_CONFIG=$T/ansible.cfg \
	ANSIBLE_DEPRECATION_WARNINGS=0 HOME=$T/home \
	ANSIBLE_CALLBACK_PLUGINS=$ANS_SRC/tests/callback_plugins
unset ANSIBLE_STDOUT_CALLBACK
# Ansible refuses any locale but UTF-8 (lib.sh sets C)
export LC_ALL=C.UTF-8

# ap PLAYBOOK ARGS...: ansible-playbook, its JSON report in $OUT and $T/ap.json (which the
# ap_* helpers read)
ap() {
	local pb=$1
	shift
	HF_TIMEOUT=${ANS_TIMEOUT:-180} ANSIBLE_STDOUT_CALLBACK=hostfish_test_json run ansible-playbook "$ANS_SRC/tests/$pb" "$@"
	local rc=$HF_RC
	# the report is the last line (-v adds Ansible's own text before it)
	grep '^{"plays"' "$OUT" | tail -n 1 >"$T/ap.json"
	return $rc
}

# ap_stat HOST KEY: one number of the last run's stats (ok, changed, failures, ...)
ap_stat() {
	/usr/bin/python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
print(d["stats"].get(sys.argv[2], {}).get(sys.argv[3], 0))' "$T/ap.json" "$1" "$2" 2>/dev/null
}

# ap_result TASK-NAME HOST EXPR: a python expression over one task's result (r)
ap_result() {
	/usr/bin/python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
for play in d["plays"]:
    for t in play["tasks"]:
        if t["task"]["name"] == sys.argv[2]:
            r = t["hosts"].get(sys.argv[3])
            print(eval(sys.argv[4]))
            sys.exit(0)
print("no task %s" % sys.argv[2])' "$T/ap.json" "$@" 2>&1
}
