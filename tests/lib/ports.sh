# Loopback ports for the servers the tests and benchmarks start (sourced).
#   free_port       prints a loopback TCP port nothing listens on now
#   wait_port PORT  returns once something listens on PORT (10 s at most)
# Each prints a FAIL: line and returns 1 when it cannot.
#
# The port is picked below the kernel's ephemeral range: a port in that
# range can be taken by any outgoing connection's local end between this
# check and the server's bind (a CI run saw bulkhead-console fail to bind
# so), while a port below it is only ever taken by an explicit bind.
free_port() {
	local p lo
	read -r lo _ < /proc/sys/net/ipv4/ip_local_port_range 2>/dev/null || lo=32768
	[ "$lo" -gt 12000 ] 2>/dev/null || lo=32768
	for _ in $(seq 1 20); do
		p=$((10000 + RANDOM % (lo - 10000)))
		(exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null || { echo "$p"; return 0; }
	done
	echo "FAIL: no free loopback port"
	return 1
}
wait_port() {
	for _ in $(seq 1 100); do (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0; sleep 0.1; done
	echo "FAIL: nothing listens on port $1"
	return 1
}
