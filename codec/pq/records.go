package pq

import (
	"io"
	"time"

	"github.com/pqloop/pqloop/crypto/noise"
)

// Rekey bounds. AES-GCM's confidentiality margin shrinks with the number of
// records under one key; TLS 1.3 stops at 2^24.5 full-size records (RFC 8446
// §5.5). Senders switch keys far earlier, and receivers enforce a ceiling in
// between so a peer that never rekeys is cut off before the limit.
const (
	// DefaultRekeyAfterRecords is how many records a sender seals under one
	// key before it rekeys.
	DefaultRekeyAfterRecords = 1 << 20
	// RejectAfterRecords is the most records a receiver opens under one key.
	RejectAfterRecords = 1 << 23
	// DefaultRekeyAfterTime is WireGuard's REKEY_AFTER_TIME (whitepaper §6.1).
	DefaultRekeyAfterTime = 120 * time.Second
)

// records is the record layer both roles share once the handshake is done.
// Each direction has its own Noise CipherState whose counter is the nonce;
// counters never reset (rekeying keeps them, Noise §11.3), so a nonce is
// never reused, and CipherState refuses to send at 2^64-1.
type records struct {
	send, recv noise.CipherState
	ready      bool // keys are set: Seal works

	// Rekeying: each side counts the rekeys it has sent and received; a
	// rekey record from the peer makes this side follow with its own if it
	// is behind, so both directions switch.
	sendEpoch, recvEpoch uint32
	sentUnderKey         uint64
	openedUnderKey       uint64
	rekeyAfterRecords    uint64
	rekeyAfterTime       int64 // nanoseconds
	keyBorn              int64 // time the send key was set
	now                  int64 // latest time the caller told us

	pending    []byte // control records and handshake frames not yet written
	pendingOff int

	sendClosed bool
	recvClosed bool  // the peer sent a close record; sending may go on
	err        error // sticky: once set, every call returns it
}

func (r *records) configureRekey(afterRecords uint64, afterTime time.Duration) {
	// Capped at half the receiver ceiling, so the peer never cuts us off.
	r.rekeyAfterRecords = min(afterRecords, RejectAfterRecords/2)
	if r.rekeyAfterRecords == 0 {
		r.rekeyAfterRecords = DefaultRekeyAfterRecords
	}
	r.rekeyAfterTime = int64(afterTime)
	if r.rekeyAfterTime <= 0 {
		r.rekeyAfterTime = int64(DefaultRekeyAfterTime)
	}
}

func (r *records) start(send, recv noise.CipherState, now int64) {
	r.send, r.recv = send, recv
	r.ready = true
	r.keyBorn = now
	r.now = now
}

func (r *records) fail(err error) error {
	if r.err == nil {
		r.err = err
		r.send.Wipe()
		r.recv.Wipe()
		r.ready = false
	}
	return r.err
}

// Wipe erases the transport keys when the connection is done; every later
// call fails with ErrClosed.
func (r *records) Wipe() { r.fail(ErrClosed) }

// Output returns bytes waiting to be written: handshake messages and
// control records (rekey). Seal also drains them, in order, ahead of data.
func (r *records) Output() []byte { return r.pending[r.pendingOff:] }

// Advance marks n bytes of Output as written.
func (r *records) Advance(n int) {
	r.pendingOff += n
	if r.pendingOff >= len(r.pending) {
		r.pending = r.pending[:0]
		r.pendingOff = 0
	}
}

func (r *records) takePending(dst []byte) []byte {
	if out := r.Output(); len(out) > 0 {
		dst = append(dst, out...)
		r.Advance(len(out))
	}
	return dst
}

// sealRecord appends one record. The header is written first and then
// passed to the AEAD as associated data.
func (r *records) sealRecord(dst []byte, typ byte, plaintext []byte) ([]byte, error) {
	h := len(dst)
	dst = appendFrameHeader(dst, typ, len(plaintext)+noise.TagLen)
	out, err := r.send.EncryptWithAd(dst, dst[h:], plaintext)
	if err != nil {
		return dst[:h], r.fail(err)
	}
	r.sentUnderKey++
	return out, nil
}

// rekeySend seals a rekey record under the old key, then switches.
func (r *records) rekeySend(dst []byte) ([]byte, error) {
	dst, err := r.sealRecord(dst, recordRekey, nil)
	if err != nil {
		return dst, err
	}
	r.send.Rekey()
	r.sendEpoch++
	r.sentUnderKey = 0
	r.keyBorn = r.now
	return dst, nil
}

func (r *records) rekeyDue() bool {
	return r.sentUnderKey >= r.rekeyAfterRecords || r.now-r.keyBorn >= r.rekeyAfterTime
}

// canSend reports why nothing can be sealed, if anything prevents it.
func (r *records) canSend() error {
	switch {
	case r.err != nil:
		return r.err
	case !r.ready:
		return ErrNotEstablished
	case r.sendClosed:
		return ErrClosed
	}
	return nil
}

// Seal appends pending control output, then plaintext as data records of at
// most MaxRecordPlaintext bytes, to dst. It rekeys first when the send key
// has reached its record or age limit; the age is judged by the time of the
// latest Feed or Tick. It allocates nothing when dst has room. An empty
// plaintext appends only pending output.
func (r *records) Seal(dst, plaintext []byte) ([]byte, error) {
	if err := r.canSend(); err != nil {
		return dst, err
	}
	dst = r.takePending(dst)
	var err error
	for len(plaintext) > 0 {
		if r.rekeyDue() {
			if dst, err = r.rekeySend(dst); err != nil {
				return dst, err
			}
		}
		n := min(len(plaintext), MaxRecordPlaintext)
		if dst, err = r.sealRecord(dst, recordData, plaintext[:n]); err != nil {
			return dst, err
		}
		plaintext = plaintext[n:]
	}
	return dst, nil
}

// Tick tells the layer the time. If the send key is due for renewal it
// queues a rekey record in Output, so an idle sender still rekeys.
func (r *records) Tick(now int64) error {
	if r.err != nil {
		return r.err
	}
	r.now = now
	if r.ready && !r.sendClosed && r.rekeyDue() {
		var err error
		r.pending, err = r.rekeySend(r.pending)
		return err
	}
	return nil
}

// CloseWrite appends pending output and a close record to dst; Seal fails
// afterwards. The peer's Feed then reports io.EOF, which tells an orderly
// end from a truncation.
func (r *records) CloseWrite(dst []byte) ([]byte, error) {
	if err := r.canSend(); err != nil {
		return dst, err
	}
	dst = r.takePending(dst)
	dst, err := r.sealRecord(dst, recordClose, nil)
	r.sendClosed = err == nil
	return dst, err
}

// openRecord handles one record at the start of in. The plaintext is
// decrypted in place inside in, and only after the whole record's tag has
// verified; nothing is returned until then. consumed is 0 while the record
// is incomplete.
func (r *records) openRecord(in []byte) (consumed int, plaintext []byte, err error) {
	if r.recvClosed {
		return 0, nil, io.EOF
	}
	typ, n, ok := peekFrame(in)
	if !ok {
		return 0, nil, nil
	}
	switch typ {
	case recordData, recordRekey, recordClose:
	default:
		return 0, nil, r.fail(ErrUnexpectedFrame)
	}
	if n > maxRecordBody {
		return 0, nil, r.fail(ErrFrameTooLong)
	}
	if len(in) < frameHeaderLen+n {
		return 0, nil, nil
	}
	if r.openedUnderKey >= RejectAfterRecords {
		return 0, nil, r.fail(ErrKeyExhausted)
	}
	body := in[frameHeaderLen : frameHeaderLen+n]
	plaintext, err = r.recv.DecryptWithAd(body[:0], in[:frameHeaderLen], body)
	if err != nil {
		return 0, nil, r.fail(err)
	}
	r.openedUnderKey++
	consumed = frameHeaderLen + n
	switch typ {
	case recordData:
		return consumed, plaintext, nil
	case recordRekey:
		if len(plaintext) != 0 {
			return 0, nil, r.fail(ErrBadPayload)
		}
		r.recv.Rekey()
		r.recvEpoch++
		r.openedUnderKey = 0
		if r.sendEpoch < r.recvEpoch && !r.sendClosed {
			if r.pending, err = r.rekeySend(r.pending); err != nil {
				return 0, nil, err
			}
		}
		return consumed, nil, nil
	default: // recordClose
		if len(plaintext) != 0 {
			return 0, nil, r.fail(ErrBadPayload)
		}
		r.recvClosed = true
		r.recv.Wipe()
		return consumed, nil, io.EOF
	}
}
