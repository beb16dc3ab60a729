#!/bin/sh
# Starts a plain etcd cluster on 127.0.0.1 WITHOUT upshift, the way an operator's script would, so tests
# can check upshift against a cluster it did not create (status, exec-driver upgrades).
#
#   shell-cluster.sh BIN_DIR ROOT NAME=CLIENT_PORT:PEER_PORT...
#
# SHELL_CLUSTER_FLAGS_FILE (optional): a file of extra flags that every start.sh reads into etcd's
# command line (`$(cat FILE)`), as a deployment keeps its flags in a file beside the start script.
#
# For each member it writes ROOT/NAME/start.sh (start that member, optionally with another etcd:
# `sh ROOT/NAME/start.sh [BIN_DIR]`; it records the PID in ROOT/NAME/pid) and ROOT/NAME/stop.sh
# (SIGTERM the recorded PID and wait up to 20 s). Then it waits until every member is healthy and prints
# one line per member: NAME PID CLIENT_URL PEER_URL.
set -eu
bin=$1
root=$2
shift 2
[ -x "$bin/etcd" ] || { echo "no etcd in $bin" >&2; exit 3; }
token="shell-$$"
initial=""
for spec in "$@"; do
  name=${spec%%=*}; ports=${spec#*=}; peer=${ports#*:}
  initial="${initial:+$initial,}$name=http://127.0.0.1:$peer"
done
for spec in "$@"; do
  name=${spec%%=*}; ports=${spec#*=}; client=${ports%%:*}; peer=${ports#*:}
  dir="$root/$name"
  mkdir -p "$dir"
  chmod 700 "$dir"
  cat > "$dir/start.sh" <<START
#!/bin/sh
# Start member $name with the etcd in \${1:-$bin}.
set -eu
b=\${1:-$bin}
nohup "\$b/etcd" --name=$name --data-dir=$dir/data \\
  --listen-client-urls=http://127.0.0.1:$client --advertise-client-urls=http://127.0.0.1:$client \\
  --listen-peer-urls=http://127.0.0.1:$peer --initial-advertise-peer-urls=http://127.0.0.1:$peer \\
  --initial-cluster=$initial --initial-cluster-state=new --initial-cluster-token=$token ${SHELL_CLUSTER_FLAGS_FILE:+\$(cat $SHELL_CLUSTER_FLAGS_FILE)} \\
  >> $dir/etcd.log 2>&1 < /dev/null &
echo \$! > $dir/pid
START
  cat > "$dir/stop.sh" <<STOP
#!/bin/sh
# Stop member $name: SIGTERM the recorded PID, wait up to 20 s for it to exit.
pid=\$(cat $dir/pid 2>/dev/null) || exit 0
kill -TERM "\$pid" 2>/dev/null || exit 0
i=0
while kill -0 "\$pid" 2>/dev/null && [ "\$(awk '{print \$3}' /proc/\$pid/stat 2>/dev/null)" != Z ]; do
  i=\$((i+1)); [ \$i -gt 200 ] && { echo "member $name (pid \$pid) did not exit" >&2; exit 1; }
  sleep 0.1
done
STOP
  chmod +x "$dir/start.sh" "$dir/stop.sh"
  sh "$dir/start.sh" "$bin"
done
# Wait (at most 60 s) until every member answers healthy.
for spec in "$@"; do
  name=${spec%%=*}; ports=${spec#*=}; client=${ports%%:*}
  i=0
  until ETCDCTL_API=3 "$bin/etcdctl" --endpoints="http://127.0.0.1:$client" --dial-timeout=1s endpoint health >/dev/null 2>&1; do
    i=$((i+1))
    if [ $i -gt 300 ]; then echo "member $name not healthy after 60 s; log tail:" >&2; tail -n 20 "$root/$name/etcd.log" >&2; exit 1; fi
    sleep 0.2
  done
done
for spec in "$@"; do
  name=${spec%%=*}; ports=${spec#*=}; client=${ports%%:*}; peer=${ports#*:}
  echo "$name $(cat "$root/$name/pid") http://127.0.0.1:$client http://127.0.0.1:$peer"
done
