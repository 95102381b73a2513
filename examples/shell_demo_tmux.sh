#!/usr/bin/env bash
# The multi-terminal demo of `meadow shell`, reproduced in tmux: the left pane launches a
# 3-node cluster, the right pane attaches to it, a put in one is read in the other, the leader
# is killed and both panes report the election. Then you are attached to the tmux session.
#
#   examples/shell_demo_tmux.sh                  # meadow from PATH, data in a temp dir
#   MEADOW=build/meadow examples/shell_demo_tmux.sh
#   examples/shell_demo_tmux.sh --no-attach      # print both panes and clean up (for CI)
set -euo pipefail

MEADOW=${MEADOW:-meadow}
MEADOW=$(command -v "$MEADOW" || echo "$MEADOW")
DATA_DIR=${DATA_DIR:-$(mktemp -d)/meadow-data}
SESSION=meadow-demo-$$
ATTACH=1
[[ "${1:-}" == "--no-attach" ]] && ATTACH=0

# On a failure, closing the session hangs up the shells; the launching one then stops its nodes.
trap 'tmux kill-session -t "$SESSION" 2>/dev/null' ERR

left="$SESSION:0.0"
right="$SESSION:0.1"

# Waits (up to 30 s) until pane $1 shows text matching $2.
wait_for() {
  for _ in $(seq 300); do
    tmux capture-pane -p -t "$1" | grep -q -- "$2" && return 0
    sleep 0.1
  done
  echo "timed out waiting for '$2' in pane $1" >&2
  tmux capture-pane -p -t "$1" >&2
  return 1
}

tmux new-session -d -s "$SESSION" -x 220 -y 50 "$MEADOW shell --data-dir $DATA_DIR; sleep 30"
tmux split-window -h -t "$SESSION" "bash"
wait_for "$left" ']>'

tmux send-keys -t "$right" "$MEADOW shell --attach $DATA_DIR" Enter
wait_for "$right" ']>'

tmux send-keys -t "$left" "put greeting 'hello from the left pane'" Enter
wait_for "$left" 'OK (index'
tmux send-keys -t "$right" "get greeting" Enter
wait_for "$right" 'hello from the left pane'

leader=$("$MEADOW" status --attach "$DATA_DIR" --output json | grep -o '"leader":[0-9]*' | head -1 | cut -d: -f2)
tmux send-keys -t "$left" "kill $leader" Enter
wait_for "$left" "elected leader for term"
wait_for "$right" "elected leader for term"
tmux send-keys -t "$right" "status" Enter
wait_for "$right" "down"
tmux send-keys -t "$right" "restart $leader" Enter
wait_for "$right" "restarted"

if [[ $ATTACH == 1 ]]; then
  tmux attach -t "$SESSION"
else
  echo "=== left pane (launched the cluster) ==="
  tmux capture-pane -p -t "$left" | sed '/^$/d'
  echo "=== right pane (attached) ==="
  tmux capture-pane -p -t "$right" | sed '/^$/d'
  tmux send-keys -t "$right" "exit" Enter
  tmux send-keys -t "$left" "exit" Enter
  wait_for "$left" "Stopped nodes"
  tmux kill-session -t "$SESSION"
fi
