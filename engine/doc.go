// Package engine owns the I/O: gnet v2 event loops (one per CPU, each
// loop's OS thread pinned to its own CPU), connection accounting and limits,
// timers, backpressure, the bounded offload pool and graceful drain.
//
// It knows nothing of HTTP. Each connection gets a Protocol from the
// listener's factory; the engine hands the Protocol every buffered inbound
// byte, and the Protocol says how much it consumed and writes its output
// through the connection's Link. Work finished off the loop comes back with
// Link.Post, which wakes the loop; nothing else crosses goroutines.
//
// Pinning: gnet has no per-loop start hook, so with gnet's LockOSThread
// option each loop goroutine keeps one OS thread, and the engine pins that
// thread (sched_setaffinity on the calling thread) the first time the loop
// runs one of its callbacks. At start the engine opens one short probe
// connection per loop (the acceptor hands them out round robin), so every
// loop is pinned, and the loop→CPU map logged, before traffic arrives. A
// process confined to a single CPU is not pinned: its threads cannot run
// anywhere else, and a locked thread makes every idle yield of the loop a
// pair of thread hand-offs.
package engine
