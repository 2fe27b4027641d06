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
