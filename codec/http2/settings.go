package http2

// SettingID identifies a SETTINGS parameter (RFC 9113 §6.5.2).
type SettingID uint16

// RFC 9113 §6.5.2 parameters, plus RFC 8441 and RFC 9218 ones we validate.
const (
	SettingHeaderTableSize       SettingID = 0x1
	SettingEnablePush            SettingID = 0x2
	SettingMaxConcurrentStreams  SettingID = 0x3
	SettingInitialWindowSize     SettingID = 0x4
	SettingMaxFrameSize          SettingID = 0x5
	SettingMaxHeaderListSize     SettingID = 0x6
	SettingEnableConnectProtocol SettingID = 0x8 // RFC 8441 §3
	SettingNoRFC7540Priorities   SettingID = 0x9 // RFC 9218 §2.1
)

// Protocol limits and initial values (RFC 9113 §6.5.2, §6.9, RFC 7541 §4.2).
const (
	defaultHeaderTableSize   = 4096
	defaultInitialWindowSize = 65535
	minMaxFrameSize          = 1 << 14   // 16,384: also the initial value
	maxMaxFrameSize          = 1<<24 - 1 // 16,777,215
	maxWindowSize            = 1<<31 - 1 // flow-control windows never exceed this
)

// peerSettings are the parameters the client announced that shape what we send.
type peerSettings struct {
	initialWindowSize uint32
	maxFrameSize      uint32
}

// apply validates one client parameter and records it (§6.5.2).
func (p *peerSettings) apply(id SettingID, v uint32) error {
	switch id {
	case SettingEnablePush, SettingEnableConnectProtocol, SettingNoRFC7540Priorities:
		if v > 1 {
			return connErr(ErrCodeProtocol, "boolean SETTINGS parameter not 0 or 1")
		}
	case SettingInitialWindowSize:
		if v > maxWindowSize {
			return connErr(ErrCodeFlowControl, "SETTINGS_INITIAL_WINDOW_SIZE above 2^31-1")
		}
		p.initialWindowSize = v
	case SettingMaxFrameSize:
		if v < minMaxFrameSize || v > maxMaxFrameSize {
			return connErr(ErrCodeProtocol, "SETTINGS_MAX_FRAME_SIZE out of range")
		}
		p.maxFrameSize = v
	}
	// SETTINGS_HEADER_TABLE_SIZE needs nothing: our encoder never inserts
	// into the dynamic table. The other parameters are advisory for a server,
	// and unknown ones MUST be ignored.
	return nil
}
