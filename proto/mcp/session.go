package mcp

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"hash/maphash"
	"sync"
	"sync/atomic"
	"time"
)

// sessionIDBytes is the entropy of a session id: 128 bits from the CSPRNG,
// as the 2025-06-18 transport's "Session Management" asks ("globally unique
// and cryptographically secure"). Hex keeps it within visible ASCII.
const sessionIDBytes = 16

// maxKeptStreams bounds how many POST streams a session keeps for
// resumption; the oldest is forgotten first.
const maxKeptStreams = 16

// clientCaps is what the client declared it can do.
type clientCaps struct {
	Sampling    *struct{} `json:"sampling"`
	Elicitation *struct{} `json:"elicitation"`
	Roots       *struct{} `json:"roots"`
}

// session is the state of one 2025-revision session. It is shared by every
// loop that serves a request of it.
type session struct {
	id         string
	rev        Revision
	clientInfo Implementation
	caps       clientCaps
	lastUsed   atomic.Int64 // unix nanoseconds
	logLevel   atomic.Int32 // least severe level sent, a LogLevel

	nextStream atomic.Uint64
	nextReq    atomic.Uint64

	mu       sync.Mutex
	subs     map[string]bool
	get      *eventStream
	streams  []*eventStream                // POST streams kept for resumption
	pending  map[string]chan []byte        // server-to-client requests by id
	inflight map[string]context.CancelFunc // client requests by id
	closed   bool
}

func newSessionID() string {
	var b [sessionIDBytes]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails (Go 1.24+)
	return hex.EncodeToString(b[:])
}

func (s *session) touch(now time.Time) { s.lastUsed.Store(now.UnixNano()) }

// stream finds a stream of the session by id.
func (s *session) stream(id uint64) *eventStream {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.get != nil && s.get.id == id {
		return s.get
	}
	for _, st := range s.streams {
		if st.id == id {
			return st
		}
	}
	return nil
}

// keep remembers a POST stream for resumption.
func (s *session) keep(st *eventStream) {
	s.mu.Lock()
	if len(s.streams) == maxKeptStreams {
		copy(s.streams, s.streams[1:])
		s.streams = s.streams[:maxKeptStreams-1]
	}
	s.streams = append(s.streams, st)
	s.mu.Unlock()
}

// getStream returns the session's GET stream, creating it.
func (s *session) getStream(replay int) *eventStream {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.get == nil {
		s.get = newEventStream(s.nextStream.Add(1), replay)
		s.get.owner = s
	}
	return s.get
}

// end closes every stream and fails every waiting server-to-client request.
func (s *session) end() {
	s.mu.Lock()
	s.closed = true
	get, streams := s.get, s.streams
	s.streams = nil
	for id, ch := range s.pending {
		close(ch)
		delete(s.pending, id)
	}
	for _, cancel := range s.inflight {
		cancel()
	}
	s.mu.Unlock()
	if get != nil {
		get.close()
	}
	for _, st := range streams {
		st.close()
	}
}

func (s *session) addInflight(id string, cancel context.CancelFunc) {
	s.mu.Lock()
	if s.inflight == nil {
		s.inflight = map[string]context.CancelFunc{}
	}
	s.inflight[id] = cancel
	s.mu.Unlock()
}

func (s *session) removeInflight(id string) {
	s.mu.Lock()
	delete(s.inflight, id)
	s.mu.Unlock()
}

func (s *session) cancelInflight(id string) {
	s.mu.Lock()
	cancel := s.inflight[id]
	s.mu.Unlock()
	if cancel != nil {
		cancel()
	}
}

// sessionShards spreads sessions over independently locked maps so loops
// looking up different sessions do not contend.
const sessionShards = 64

type sessionShard struct {
	mu sync.RWMutex
	m  map[string]*session
	_  [40]byte // keep shards on separate cache lines
}

// sessionStore holds the live sessions.
type sessionStore struct {
	seed   maphash.Seed
	shards [sessionShards]sessionShard
	count  atomic.Int64
}

func newSessionStore() *sessionStore {
	st := &sessionStore{seed: maphash.MakeSeed()}
	for i := range st.shards {
		st.shards[i].m = map[string]*session{}
	}
	return st
}

func (st *sessionStore) shard(id []byte) *sessionShard {
	return &st.shards[maphash.Bytes(st.seed, id)%sessionShards]
}

// get finds a session; it does not allocate.
func (st *sessionStore) get(id []byte) *session {
	sh := st.shard(id)
	sh.mu.RLock()
	s := sh.m[string(id)]
	sh.mu.RUnlock()
	return s
}

// add stores s unless max sessions are open.
func (st *sessionStore) add(s *session, max int) bool {
	if n := st.count.Add(1); max > 0 && n > int64(max) {
		st.count.Add(-1)
		return false
	}
	sh := st.shard([]byte(s.id))
	sh.mu.Lock()
	sh.m[s.id] = s
	sh.mu.Unlock()
	return true
}

// remove deletes the session with id, returning it.
func (st *sessionStore) remove(id []byte) *session {
	sh := st.shard(id)
	sh.mu.Lock()
	s := sh.m[string(id)]
	if s != nil {
		delete(sh.m, s.id)
		st.count.Add(-1)
	}
	sh.mu.Unlock()
	return s
}

// each calls fn for every session; fn must not call back into the store.
func (st *sessionStore) each(fn func(*session)) {
	for i := range st.shards {
		sh := &st.shards[i]
		sh.mu.RLock()
		list := make([]*session, 0, len(sh.m))
		for _, s := range sh.m {
			list = append(list, s)
		}
		sh.mu.RUnlock()
		for _, s := range list {
			fn(s)
		}
	}
}

// expire removes the sessions idle since before cutoff.
func (st *sessionStore) expire(cutoff time.Time) (n int) {
	c := cutoff.UnixNano()
	var dead []*session
	st.each(func(s *session) {
		if s.lastUsed.Load() < c {
			dead = append(dead, s)
		}
	})
	for _, s := range dead {
		if st.remove([]byte(s.id)) != nil {
			s.end()
			n++
		}
	}
	return n
}
