package http2

import "encoding/binary"

// FrameHeaderLen is the fixed size of a frame header (RFC 9113 §4.1).
const FrameHeaderLen = 9

// FrameType is the frame type octet (RFC 9113 §6).
type FrameType uint8

// RFC 9113 §6 frame types.
const (
	FrameData         FrameType = 0x0
	FrameHeaders      FrameType = 0x1
	FramePriority     FrameType = 0x2
	FrameRSTStream    FrameType = 0x3
	FrameSettings     FrameType = 0x4
	FramePushPromise  FrameType = 0x5
	FramePing         FrameType = 0x6
	FrameGoAway       FrameType = 0x7
	FrameWindowUpdate FrameType = 0x8
	FrameContinuation FrameType = 0x9
)

// Flags is the frame flags octet; the meaning of a bit depends on the type.
type Flags uint8

// RFC 9113 §6 frame flags.
const (
	FlagEndStream  Flags = 0x1  // DATA, HEADERS
	FlagAck        Flags = 0x1  // SETTINGS, PING
	FlagEndHeaders Flags = 0x4  // HEADERS, PUSH_PROMISE, CONTINUATION
	FlagPadded     Flags = 0x8  // DATA, HEADERS, PUSH_PROMISE
	FlagPriority   Flags = 0x20 // HEADERS
)

// Has reports whether all bits of v are set.
func (f Flags) Has(v Flags) bool { return f&v == v }

// Fixed payload lengths from RFC 9113 §6.
const (
	priorityLen     = 5 // §6.3
	rstStreamLen    = 4 // §6.4
	settingLen      = 6 // §6.5.1, one parameter
	pingLen         = 8 // §6.7
	goAwayMinLen    = 8 // §6.8
	windowUpdateLen = 4 // §6.9
)

// streamIDMask drops the reserved bit in front of a 31-bit stream id or
// window increment (RFC 9113 §4.1: ignored when received).
const streamIDMask = 1<<31 - 1

// FrameHeader is a decoded frame header.
type FrameHeader struct {
	Length   uint32
	Type     FrameType
	Flags    Flags
	StreamID uint32
}

// ParseFrameHeader decodes the first FrameHeaderLen bytes of b, which must
// hold at least that many.
func ParseFrameHeader(b []byte) FrameHeader {
	_ = b[8]
	return FrameHeader{
		Length:   uint32(b[0])<<16 | uint32(b[1])<<8 | uint32(b[2]),
		Type:     FrameType(b[3]),
		Flags:    Flags(b[4]),
		StreamID: binary.BigEndian.Uint32(b[5:]) & streamIDMask,
	}
}

// Frame is one frame whose Payload aliases the buffer it was read from.
type Frame struct {
	FrameHeader
	Payload []byte
}

// ReadFrame reads the frame at the start of b. It returns n == 0 and no
// error when b does not hold a whole frame yet. A frame longer than
// maxSize (our SETTINGS_MAX_FRAME_SIZE) is a FRAME_SIZE_ERROR (§4.2),
// reported as soon as its header is seen so nothing oversized is buffered.
func ReadFrame(b []byte, maxSize uint32) (f Frame, n int, err error) {
	if len(b) < FrameHeaderLen {
		return Frame{}, 0, nil
	}
	f.FrameHeader = ParseFrameHeader(b)
	if f.Length > maxSize {
		return Frame{}, 0, connErr(ErrCodeFrameSize, "frame larger than SETTINGS_MAX_FRAME_SIZE")
	}
	end := FrameHeaderLen + int(f.Length)
	if len(b) < end {
		return Frame{}, 0, nil
	}
	f.Payload = b[FrameHeaderLen:end:end]
	return f, end, nil
}

// stripPadding removes the Pad Length octet and the padding of a PADDED
// DATA or HEADERS payload. reserved is how many octets after the pad
// length must remain besides the padding (the HEADERS priority fields).
func stripPadding(f *Frame, reserved int) ([]byte, error) {
	p := f.Payload
	if !f.Flags.Has(FlagPadded) {
		return p, nil
	}
	if len(p) < 1 {
		return nil, connErr(ErrCodeFrameSize, "padded frame without pad length")
	}
	pad := int(p[0])
	p = p[1:]
	// §6.1, §6.2: padding as long as the rest of the payload is a PROTOCOL_ERROR.
	if pad > len(p)-reserved {
		return nil, connErr(ErrCodeProtocol, "padding exceeds payload")
	}
	return p[:len(p)-pad], nil
}

// DataPayload returns the data of a DATA frame without its padding.
func DataPayload(f *Frame) ([]byte, error) { return stripPadding(f, 0) }

// PriorityParam is the stream dependency of a PRIORITY frame or of a
// HEADERS frame with the PRIORITY flag (RFC 9113 §5.3.2, deprecated but
// still parsed and validated).
type PriorityParam struct {
	StreamDep uint32
	Exclusive bool
	Weight    uint8
}

func parsePriority(p []byte) PriorityParam {
	v := binary.BigEndian.Uint32(p)
	return PriorityParam{StreamDep: v & streamIDMask, Exclusive: v>>31 == 1, Weight: p[4]}
}

// HeadersPayload returns the header block fragment of a HEADERS frame and
// its priority fields, if present.
func HeadersPayload(f *Frame) (block []byte, prio PriorityParam, hasPrio bool, err error) {
	reserved := 0
	if f.Flags.Has(FlagPriority) {
		reserved = priorityLen
	}
	p, err := stripPadding(f, reserved)
	if err != nil {
		return nil, prio, false, err
	}
	if reserved == 0 {
		return p, prio, false, nil
	}
	if len(p) < priorityLen {
		return nil, prio, false, connErr(ErrCodeFrameSize, "HEADERS too short for priority")
	}
	return p[priorityLen:], parsePriority(p), true, nil
}

// PriorityPayload decodes a PRIORITY frame. A wrong length is a stream
// error of type FRAME_SIZE_ERROR (§6.3), reported as ok == false.
func PriorityPayload(f *Frame) (prio PriorityParam, ok bool) {
	if len(f.Payload) != priorityLen {
		return prio, false
	}
	return parsePriority(f.Payload), true
}

// RSTStreamPayload decodes the error code of a RST_STREAM frame.
func RSTStreamPayload(f *Frame) (ErrCode, error) {
	if len(f.Payload) != rstStreamLen {
		return 0, connErr(ErrCodeFrameSize, "RST_STREAM length is not 4")
	}
	return ErrCode(binary.BigEndian.Uint32(f.Payload)), nil
}

// SettingsPayload checks the length of a SETTINGS frame (§6.5) and returns
// how many parameters it carries; read them with SettingAt.
func SettingsPayload(f *Frame) (count int, err error) {
	if f.Flags.Has(FlagAck) {
		if len(f.Payload) != 0 {
			return 0, connErr(ErrCodeFrameSize, "SETTINGS ACK with a payload")
		}
		return 0, nil
	}
	if len(f.Payload)%settingLen != 0 {
		return 0, connErr(ErrCodeFrameSize, "SETTINGS length is not a multiple of 6")
	}
	return len(f.Payload) / settingLen, nil
}

// SettingAt returns parameter i of a SETTINGS payload.
func SettingAt(payload []byte, i int) (SettingID, uint32) {
	p := payload[i*settingLen:]
	return SettingID(binary.BigEndian.Uint16(p)), binary.BigEndian.Uint32(p[2:])
}

// PingPayload returns the 8 opaque octets of a PING frame.
func PingPayload(f *Frame) ([]byte, error) {
	if len(f.Payload) != pingLen {
		return nil, connErr(ErrCodeFrameSize, "PING length is not 8")
	}
	return f.Payload, nil
}

// GoAwayPayload decodes a GOAWAY frame.
func GoAwayPayload(f *Frame) (lastStreamID uint32, code ErrCode, debug []byte, err error) {
	p := f.Payload
	if len(p) < goAwayMinLen {
		return 0, 0, nil, connErr(ErrCodeFrameSize, "GOAWAY shorter than 8")
	}
	return binary.BigEndian.Uint32(p) & streamIDMask, ErrCode(binary.BigEndian.Uint32(p[4:])), p[goAwayMinLen:], nil
}

// WindowUpdatePayload returns the window size increment of a WINDOW_UPDATE
// frame. A zero increment is left for the caller to judge: it is a
// connection or a stream error depending on the stream (§6.9).
func WindowUpdatePayload(f *Frame) (uint32, error) {
	if len(f.Payload) != windowUpdateLen {
		return 0, connErr(ErrCodeFrameSize, "WINDOW_UPDATE length is not 4")
	}
	return binary.BigEndian.Uint32(f.Payload) & streamIDMask, nil
}
