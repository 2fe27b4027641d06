package noise

// Token is a handshake token of PQNoise (ePrint 2022/539, Figure 3).
type Token uint8

const (
	// TokenE: the sender's fresh ephemeral KEM public key, in clear; MixHash.
	TokenE Token = iota + 1
	// TokenS: the sender's static public key through EncryptAndHash.
	TokenS
	// TokenEkem: a ciphertext to the peer's ephemeral key, in clear;
	// MixHash(ct), MixKey(ss).
	TokenEkem
	// TokenSkem: a ciphertext to the peer's static key through
	// EncryptAndHash; MixKeyAndHash(ss).
	TokenSkem
)

// Pattern is an interactive two-message handshake pattern whose responder
// static key is known beforehand (the pre-message "<- s").
type Pattern struct {
	// ProtocolName is the full Noise protocol name (§8).
	ProtocolName string
	// Messages lists the tokens of message 1 (initiator) and 2 (responder).
	Messages [2][]Token
	// InitiatorStatic reports whether the initiator needs a static key.
	InitiatorStatic bool
}

// PQNK is pqNK: the initiator stays anonymous and pins the responder's key.
//
//	<- s
//	...
//	-> skem, e
//	<- ekem
var PQNK = &Pattern{
	ProtocolName: ProtocolNamePQNK,
	Messages:     [2][]Token{{TokenSkem, TokenE}, {TokenEkem}},
}

// PQIK is pqIK: both sides authenticate with static keys.
//
//	<- s
//	...
//	-> e, skem, s
//	<- ekem, skem
var PQIK = &Pattern{
	ProtocolName:    ProtocolNamePQIK,
	Messages:        [2][]Token{{TokenE, TokenSkem, TokenS}, {TokenEkem, TokenSkem}},
	InitiatorStatic: true,
}

// MessageLen returns the length of handshake message i (0 or 1) carrying a
// payload of payloadLen bytes. Every message carries an encrypted payload,
// because each pattern has a key by the end of its first token group.
func (p *Pattern) MessageLen(i, payloadLen int) int {
	n := payloadLen + TagLen
	keyed := false
	for j := 0; j <= i; j++ {
		for _, t := range p.Messages[j] {
			switch t {
			case TokenE:
				if j == i {
					n += PublicKeySize
				}
			case TokenS:
				if j == i {
					n += PublicKeySize
					if keyed {
						n += TagLen
					}
				}
			case TokenEkem:
				if j == i {
					n += CiphertextSize
				}
				keyed = true
			case TokenSkem:
				if j == i {
					n += CiphertextSize
					if keyed {
						n += TagLen
					}
				}
				keyed = true
			}
		}
	}
	return n
}
