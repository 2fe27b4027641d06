package pq

// setNonces starts both directions' counters at n, to reach the end of the
// nonce space in a test.
func (r *records) setNonces(send, recv uint64) {
	r.send.SetNonce(send)
	r.recv.SetNonce(recv)
}
