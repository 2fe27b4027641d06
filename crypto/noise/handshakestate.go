package noise

import (
	"io"
)

// Config sets up one side of a handshake.
type Config struct {
	Pattern   *Pattern
	Initiator bool
	// Prologue is hashed in before the first message (§6): both sides must
	// agree on it or the first AEAD tag fails.
	Prologue []byte
	// LocalStatic is this side's static key: the responder's always, the
	// initiator's for PQIK.
	LocalStatic *PrivateKey
	// RemoteStatic is the responder's key, pinned by the initiator (the
	// pre-message "<- s").
	RemoteStatic *PublicKey
	// ResolveRemoteStatic, when set, is called by the responder as soon as
	// an initiator's static key has been decrypted (token s). It returns the
	// parsed key, typically cached by an authorised-keys set, or an error to
	// abort before any further work. When nil the key is parsed.
	ResolveRemoteStatic func(packed []byte) (*PublicKey, error)
	// Rand supplies ephemeral seeds and encapsulation seeds.
	Rand io.Reader
}

// HandshakeState is Noise §5.3's HandshakeState for the PQNoise KEM tokens.
// It is not safe for concurrent use, but it touches nothing outside itself
// (and the Config it was given), so it may move between goroutines.
type HandshakeState struct {
	ss        SymmetricState
	pattern   *Pattern
	initiator bool
	s         *PrivateKey
	e         *PrivateKey
	rs        *PublicKey
	re        PublicKey
	resolve   func([]byte) (*PublicKey, error)
	rand      io.Reader
	next      int  // index of the next message
	failed    bool // any error poisons the state
}

// NewHandshakeState runs Initialize (§5.3): the protocol name, the prologue,
// then the responder's static key from the pre-message.
func NewHandshakeState(cfg *Config) (*HandshakeState, error) {
	hs := &HandshakeState{
		pattern:   cfg.Pattern,
		initiator: cfg.Initiator,
		s:         cfg.LocalStatic,
		rs:        cfg.RemoteStatic,
		resolve:   cfg.ResolveRemoteStatic,
		rand:      cfg.Rand,
	}
	var responderStatic *PublicKey
	if cfg.Initiator {
		if cfg.RemoteStatic == nil {
			return nil, ErrNoRemoteStatic
		}
		if cfg.Pattern.InitiatorStatic && cfg.LocalStatic == nil {
			return nil, ErrNoLocalStatic
		}
		responderStatic = cfg.RemoteStatic
	} else {
		if cfg.LocalStatic == nil {
			return nil, ErrNoLocalStatic
		}
		responderStatic = &cfg.LocalStatic.Public
	}
	hs.ss.InitializeSymmetric(cfg.Pattern.ProtocolName)
	hs.ss.MixHash(cfg.Prologue)
	hs.ss.MixHash(responderStatic.Bytes())
	return hs, nil
}

// myTurn reports whether this side writes the next message.
func (hs *HandshakeState) myTurn() bool { return (hs.next == 0) == hs.initiator }

// Finished reports whether both messages have been processed.
func (hs *HandshakeState) Finished() bool { return hs.next == len(hs.pattern.Messages) }

// WriteMessage appends the next handshake message, ending with the encrypted
// payload, to dst (§5.3).
func (hs *HandshakeState) WriteMessage(dst, payload []byte) ([]byte, error) {
	if hs.failed || hs.Finished() || !hs.myTurn() {
		return dst, ErrState
	}
	out, err := hs.writeMessage(dst, payload)
	if err != nil {
		hs.failed = true
		return dst, err
	}
	if len(out)-len(dst) > MaxMessageLen {
		hs.failed = true
		return dst, ErrLongMessage
	}
	hs.next++
	return out, nil
}

func (hs *HandshakeState) writeMessage(out, payload []byte) ([]byte, error) {
	var ss [SharedKeySize]byte
	defer clear(ss[:])
	var err error
	for _, t := range hs.pattern.Messages[hs.next] {
		switch t {
		case TokenE:
			if hs.e, err = GeneratePrivateKey(hs.rand); err != nil {
				return out, err
			}
			out = append(out, hs.e.Public.Bytes()...)
			hs.ss.MixHash(hs.e.Public.Bytes())
		case TokenS:
			if out, err = hs.ss.EncryptAndHash(out, hs.s.Public.Bytes()); err != nil {
				return out, err
			}
		case TokenEkem:
			var ct [CiphertextSize]byte
			if err = hs.re.encapsulate(hs.rand, ct[:], ss[:]); err != nil {
				return out, err
			}
			out = append(out, ct[:]...)
			hs.ss.MixHash(ct[:])
			hs.ss.MixKey(ss[:])
		case TokenSkem:
			if hs.rs == nil {
				return out, ErrNoRemoteStatic
			}
			var ct [CiphertextSize]byte
			if err = hs.rs.encapsulate(hs.rand, ct[:], ss[:]); err != nil {
				return out, err
			}
			if out, err = hs.ss.EncryptAndHash(out, ct[:]); err != nil {
				return out, err
			}
			hs.ss.MixKeyAndHash(ss[:])
		}
	}
	return hs.ss.EncryptAndHash(out, payload)
}

// ReadMessage processes the next handshake message and appends its decrypted
// payload to dst (§5.3). The message must be exactly one message: trailing
// bytes are part of the payload ciphertext and fail its tag.
func (hs *HandshakeState) ReadMessage(dst, message []byte) ([]byte, error) {
	if hs.failed || hs.Finished() || hs.myTurn() {
		return dst, ErrState
	}
	if len(message) > MaxMessageLen {
		hs.failed = true
		return dst, ErrLongMessage
	}
	out, err := hs.readMessage(dst, message)
	if err != nil {
		hs.failed = true
		return dst, err
	}
	hs.next++
	return out, nil
}

func (hs *HandshakeState) readMessage(dst, msg []byte) ([]byte, error) {
	var ss [SharedKeySize]byte
	defer clear(ss[:])
	take := func(n int) ([]byte, error) {
		if len(msg) < n {
			return nil, ErrShortMessage
		}
		b := msg[:n]
		msg = msg[n:]
		return b, nil
	}
	tagLen := func() int {
		if hs.ss.cs.HasKey() {
			return TagLen
		}
		return 0
	}
	for _, t := range hs.pattern.Messages[hs.next] {
		switch t {
		case TokenE:
			b, err := take(PublicKeySize)
			if err != nil {
				return dst, err
			}
			copy(hs.re.packed[:], b)
			err = hs.re.key.Unpack(hs.re.packed[:])
			clearUpperVectorState()
			if err != nil {
				return dst, ErrBadKey
			}
			hs.ss.MixHash(b)
		case TokenS:
			b, err := take(PublicKeySize + tagLen())
			if err != nil {
				return dst, err
			}
			var packed [PublicKeySize]byte
			if _, err := hs.ss.DecryptAndHash(packed[:0], b); err != nil {
				return dst, err
			}
			if hs.resolve != nil {
				hs.rs, err = hs.resolve(packed[:])
			} else {
				hs.rs, err = ParsePublicKey(packed[:])
			}
			if err != nil {
				return dst, err
			}
		case TokenEkem:
			ct, err := take(CiphertextSize)
			if err != nil {
				return dst, err
			}
			hs.ss.MixHash(ct)
			hs.e.decapsulate(ss[:], ct)
			hs.ss.MixKey(ss[:])
		case TokenSkem:
			b, err := take(CiphertextSize + tagLen())
			if err != nil {
				return dst, err
			}
			var ct [CiphertextSize]byte
			if _, err := hs.ss.DecryptAndHash(ct[:0], b); err != nil {
				return dst, err
			}
			hs.s.decapsulate(ss[:], ct[:])
			hs.ss.MixKeyAndHash(ss[:])
		}
	}
	if len(msg) < TagLen {
		return dst, ErrShortMessage
	}
	return hs.ss.DecryptAndHash(dst, msg)
}

// Split returns the transport CipherStates from this side's point of view
// (§5.2 Split, §5.3): send encrypts what this side writes, recv decrypts
// what it reads. It wipes the handshake secrets; call it once, when
// Finished reports true.
func (hs *HandshakeState) Split() (send, recv CipherState, err error) {
	if hs.failed || !hs.Finished() {
		return send, recv, ErrState
	}
	c1, c2 := hs.ss.Split()
	hs.Wipe()
	if hs.initiator {
		return c1, c2, nil
	}
	return c2, c1, nil
}

// HandshakeHash returns h, a unique identifier of this handshake (§11.2).
func (hs *HandshakeState) HandshakeHash() [HashLen]byte { return hs.ss.HandshakeHash() }

// RemoteStatic returns the peer's static key: the pinned responder key for
// an initiator, the key read from message 1 for a PQIK responder, or nil.
func (hs *HandshakeState) RemoteStatic() *PublicKey { return hs.rs }

// Wipe erases the chaining key, the handshake cipher key and the ephemeral
// key. Static keys belong to the caller.
func (hs *HandshakeState) Wipe() {
	hs.ss.Wipe()
	if hs.e != nil {
		hs.e.Wipe()
		hs.e = nil
	}
}
