package loadgen

import (
	"net/url"
	"strings"
	"testing"

	"golang.org/x/net/http2"
)

type tally struct{ ok, lost int }

func (t *tally) completed(int, int64) { t.ok++ }
func (t *tally) failed()              { t.lost++ }

func testH2Session(t *testing.T, depth int) *h2Session {
	u, _ := url.Parse("http://127.0.0.1:1/health")
	cfg := Config{Protocol: H2C, URL: u, Connections: 1, Depth: depth, Requests: 1}
	if err := cfg.validate(); err != nil {
		t.Fatal(err)
	}
	return newH2Session(newH2Request(&cfg), depth)
}

// serverFrames encodes what a server would send.
func serverFrames(write func(fr *http2.Framer)) []byte {
	var out outBuffer
	write(http2.NewFramer(&out, nil))
	return out.b
}

// The read side accepts frames up to SETTINGS_MAX_FRAME_SIZE, which we
// leave at its initial value, and rejects one byte more.
func TestH2SessionFrameSizeLimit(t *testing.T) {
	s := testH2Session(t, 1)
	at := serverFrames(func(fr *http2.Framer) {
		fr.WriteData(1, false, make([]byte, defaultMaxFrameSize))
	})
	if n, err := s.receive(at, &tally{}); err != nil || n != len(at) {
		t.Fatalf("frame at the limit: %d of %d, %v", n, len(at), err)
	}
	over := serverFrames(func(fr *http2.Framer) {
		fr.WriteRawFrame(http2.FrameData, 0, 1, make([]byte, defaultMaxFrameSize+1))
	})
	if _, err := s.receive(over, &tally{}); err == nil || !strings.Contains(err.Error(), "SETTINGS_MAX_FRAME_SIZE") {
		t.Fatalf("frame over the limit: %v", err)
	}
}

func TestH2SessionHonoursPeerSettings(t *testing.T) {
	s := testH2Session(t, 8)
	settings := serverFrames(func(fr *http2.Framer) {
		fr.WriteSettings(http2.Setting{ID: http2.SettingMaxConcurrentStreams, Val: 2})
	})
	if _, err := s.receive(settings, &tally{}); err != nil {
		t.Fatal(err)
	}
	s.start(1)
	s.start(2)
	if s.ready() {
		t.Fatal("ready for a third stream over MAX_CONCURRENT_STREAMS=2")
	}
	// A GOAWAY that processed only stream 1 fails stream 3 and stops new ones.
	var got tally
	goaway := serverFrames(func(fr *http2.Framer) { fr.WriteGoAway(1, http2.ErrCodeNo, nil) })
	if _, err := s.receive(goaway, &got); err != nil {
		t.Fatal(err)
	}
	if got.lost != 1 || s.inflight() != 1 || s.ready() || !s.closing() {
		t.Fatalf("after GOAWAY: %+v inflight %d", got, s.inflight())
	}
}

func TestH2SessionRejectsPush(t *testing.T) {
	s := testH2Session(t, 1)
	s.start(1)
	push := serverFrames(func(fr *http2.Framer) {
		fr.WritePushPromise(http2.PushPromiseParam{StreamID: 1, PromiseID: 2, EndHeaders: true})
	})
	if _, err := s.receive(push, &tally{}); err == nil {
		t.Fatal("PUSH_PROMISE accepted though push is disabled")
	}
}

func TestH2SessionRejectsInvalidSettings(t *testing.T) {
	for _, st := range []http2.Setting{
		{ID: http2.SettingMaxFrameSize, Val: defaultMaxFrameSize - 1},
		{ID: http2.SettingInitialWindowSize, Val: maxWindowSize + 1},
		{ID: http2.SettingEnablePush, Val: 2},
	} {
		s := testH2Session(t, 1)
		frame := serverFrames(func(fr *http2.Framer) { fr.WriteSettings(st) })
		if _, err := s.receive(frame, &tally{}); err == nil {
			t.Errorf("%v accepted", st)
		}
	}
	s := testH2Session(t, 1)
	frame := serverFrames(func(fr *http2.Framer) {
		fr.WriteSettings(http2.Setting{ID: http2.SettingMaxFrameSize, Val: defaultMaxFrameSize})
	})
	if _, err := s.receive(frame, &tally{}); err != nil {
		t.Errorf("MAX_FRAME_SIZE at its lower bound: %v", err)
	}
}

func TestH2SessionHeaderBlocks(t *testing.T) {
	status200 := []byte{0x88} // HPACK static index 8, ":status: 200"
	s := testH2Session(t, 2)
	s.start(1)
	s.start(2)
	var got tally
	// Stream 1: padded HEADERS with priority, END_STREAM, the block split
	// over a CONTINUATION. Stream 3: HEADERS then padded DATA.
	frames := serverFrames(func(fr *http2.Framer) {
		fr.WriteHeaders(http2.HeadersFrameParam{StreamID: 1, BlockFragment: nil, EndStream: true, PadLength: 3,
			Priority: http2.PriorityParam{StreamDep: 0, Weight: 7}})
		fr.WriteContinuation(1, true, status200)
		fr.WriteHeaders(http2.HeadersFrameParam{StreamID: 3, BlockFragment: status200, EndHeaders: true})
		fr.WriteDataPadded(3, true, []byte("Hello, world!"), make([]byte, 5))
	})
	if n, err := s.receive(frames, &got); err != nil || n != len(frames) {
		t.Fatalf("receive: %d of %d, %v", n, len(frames), err)
	}
	if got.ok != 2 || s.inflight() != 0 {
		t.Fatalf("completed %d, inflight %d", got.ok, s.inflight())
	}
}

func TestH2SessionRejectsMalformedFrames(t *testing.T) {
	for name, write := range map[string]func(fr *http2.Framer){
		"interrupted header block": func(fr *http2.Framer) {
			fr.WriteHeaders(http2.HeadersFrameParam{StreamID: 1, BlockFragment: []byte{0x88}})
			fr.WriteData(1, true, nil)
		},
		"continuation without headers": func(fr *http2.Framer) { fr.WriteContinuation(1, true, []byte{0x88}) },
		"padding longer than payload": func(fr *http2.Framer) {
			fr.WriteRawFrame(http2.FrameData, http2.FlagDataPadded, 1, []byte{4, 'a', 'b'})
		},
		"headers on stream 0": func(fr *http2.Framer) {
			fr.WriteRawFrame(http2.FrameHeaders, http2.FlagHeadersEndHeaders, 0, []byte{0x88})
		},
		"priority cut short": func(fr *http2.Framer) {
			fr.WriteRawFrame(http2.FrameHeaders, http2.FlagHeadersEndHeaders|http2.FlagHeadersPriority, 1, []byte{0, 0})
		},
	} {
		s := testH2Session(t, 1)
		s.start(1)
		if _, err := s.receive(serverFrames(write), &tally{}); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}
