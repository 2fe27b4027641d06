package loadgen

// A session speaks one protocol on one connection without doing I/O: the
// worker feeds it the bytes read and writes the bytes it queues.
type session interface {
	// ready reports whether one more request may start now.
	ready() bool
	// start queues one request; sentAt is its send time as the latency
	// clock sees it (the intended time, in open loop).
	start(sentAt int64)
	// receive consumes bytes read from the server, reporting each completed
	// request to r, and returns how many it consumed. An error ends the
	// connection.
	receive(in []byte, r reporter) (int, error)
	// output is the bytes queued for the server; the worker empties it.
	output() *outBuffer
	// inflight counts started requests not yet answered.
	inflight() int
	// oldest is the sentAt of the longest outstanding request.
	oldest() int64
	// closing reports that the server ended the connection for new
	// requests: the worker reconnects once inflight reaches zero.
	closing() bool
}

// reporter receives what sessions observe.
type reporter interface {
	// completed reports a response with status to the request sent at sentAt.
	completed(status int, sentAt int64)
	// failed reports a request that got no response (stream reset, refused).
	failed()
}

// outBuffer is an append-only byte buffer that http2.Framer writes into.
type outBuffer struct{ b []byte }

func (o *outBuffer) Write(p []byte) (int, error) {
	o.b = append(o.b, p...)
	return len(p), nil
}

// sendTimes is a FIFO of send times: HTTP/1.1 answers in request order.
type sendTimes struct {
	ring       []int64
	head, size int
}

func newSendTimes(depth int) sendTimes { return sendTimes{ring: make([]int64, depth)} }

func (q *sendTimes) push(t int64) {
	q.ring[(q.head+q.size)%len(q.ring)] = t
	q.size++
}

func (q *sendTimes) pop() int64 {
	t := q.ring[q.head]
	q.head = (q.head + 1) % len(q.ring)
	q.size--
	return t
}

func (q *sendTimes) front() int64 { return q.ring[q.head] }
