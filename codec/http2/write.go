package http2

import "encoding/binary"

// The append functions write whole frames straight into the output
// buffer; none allocates once the buffer has grown to its working size.

func appendFrameHeader(b []byte, length int, t FrameType, f Flags, streamID uint32) []byte {
	return append(b, byte(length>>16), byte(length>>8), byte(length), byte(t), byte(f),
		byte(streamID>>24), byte(streamID>>16), byte(streamID>>8), byte(streamID))
}

func appendUint32(b []byte, v uint32) []byte { return binary.BigEndian.AppendUint32(b, v) }

func appendSetting(b []byte, id SettingID, v uint32) []byte {
	return appendUint32(binary.BigEndian.AppendUint16(b, uint16(id)), v)
}

func appendSettingsAck(b []byte) []byte { return appendFrameHeader(b, 0, FrameSettings, FlagAck, 0) }

func appendPingAck(b []byte, data []byte) []byte {
	return append(appendFrameHeader(b, pingLen, FramePing, FlagAck, 0), data...)
}

func appendRSTStream(b []byte, streamID uint32, code ErrCode) []byte {
	return appendUint32(appendFrameHeader(b, rstStreamLen, FrameRSTStream, 0, streamID), uint32(code))
}

func appendWindowUpdate(b []byte, streamID uint32, incr uint32) []byte {
	return appendUint32(appendFrameHeader(b, windowUpdateLen, FrameWindowUpdate, 0, streamID), incr)
}

func appendGoAway(b []byte, lastStreamID uint32, code ErrCode, debug string) []byte {
	b = appendFrameHeader(b, goAwayMinLen+len(debug), FrameGoAway, 0, 0)
	b = appendUint32(appendUint32(b, lastStreamID), uint32(code))
	return append(b, debug...)
}

func appendData(b []byte, streamID uint32, p []byte, endStream bool) []byte {
	var f Flags
	if endStream {
		f = FlagEndStream
	}
	return append(appendFrameHeader(b, len(p), FrameData, f, streamID), p...)
}

// appendHeaderBlock writes a header block as one HEADERS frame and as many
// CONTINUATION frames as maxFrame requires (§6.10).
func appendHeaderBlock(b []byte, streamID uint32, block []byte, endStream bool, maxFrame int) []byte {
	t, f := FrameHeaders, Flags(0)
	if endStream {
		f = FlagEndStream
	}
	for {
		n := min(len(block), maxFrame)
		ff := f
		if n == len(block) {
			ff |= FlagEndHeaders
		}
		b = append(appendFrameHeader(b, n, t, ff, streamID), block[:n]...)
		block = block[n:]
		if len(block) == 0 {
			return b
		}
		t, f = FrameContinuation, 0
	}
}
