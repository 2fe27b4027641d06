# Shared by the test scripts (source it): start bin/pqloop on free loopback
# ports and wait until it is ready.

free_port() { python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])'; }

# start_pqloop LOG [serve flags…] starts `bin/pqloop serve` on free ports,
# logging to LOG, and sets PORT, ADMIN and PID. It returns 1, printing the
# log, if the server does not become ready.
start_pqloop() {
	local log=$1
	shift
	PORT=$(free_port)
	ADMIN=$(free_port)
	./bin/pqloop serve --listen 127.0.0.1:$PORT --admin 127.0.0.1:$ADMIN "$@" >"$log" 2>&1 &
	PID=$!
	for _ in $(seq 300); do
		curl -sf "http://127.0.0.1:$PORT/ready" >/dev/null && return 0
		kill -0 $PID 2>/dev/null || break
		sleep 0.1
	done
	echo "pqloop did not come up on 127.0.0.1:$PORT; its log:"
	cat "$log"
	return 1
}
