package http2

// dynamicTable is the RFC 7541 §2.3.2 dynamic table: a FIFO of entries
// whose bytes live in one buffer, so inserting and evicting reuse memory.
// Live bytes never exceed maxSize, which bounds the buffer.
type dynamicTable struct {
	buf     []byte // entry bytes, oldest first, live from bufHead
	bufHead int
	ents    []tableEntry // oldest first, live from entHead
	entHead int
	size    uint32 // §4.1 size: bytes plus 32 per entry
	maxSize uint32
	tmp     []byte // the entry being inserted, which may alias an evicted one
}

// maxDeadEntries bounds evicted entries kept before compaction.
const maxDeadEntries = 64

type tableEntry struct{ off, nameLen, valueLen int }

func (t *dynamicTable) len() int { return len(t.ents) - t.entHead }

// at returns dynamic entry i, 1 being the newest (§2.3.3).
func (t *dynamicTable) at(i int) (name, value []byte) {
	e := t.ents[len(t.ents)-i]
	name = t.buf[e.off : e.off+e.nameLen]
	return name, t.buf[e.off+e.nameLen : e.off+e.nameLen+e.valueLen]
}

func (t *dynamicTable) setMaxSize(n uint32) {
	t.maxSize = n
	t.evictTo(n)
}

func (t *dynamicTable) evictTo(limit uint32) {
	for t.size > limit {
		e := t.ents[t.entHead]
		t.entHead++
		t.bufHead = e.off + e.nameLen + e.valueLen
		t.size -= uint32(e.nameLen + e.valueLen + entryOverhead)
	}
	if t.entHead == len(t.ents) {
		t.ents, t.entHead, t.buf, t.bufHead = t.ents[:0], 0, t.buf[:0], 0
	}
}

// add inserts a field (§4.4): entries are evicted until it fits; a field
// larger than the whole table empties it and is not inserted. It reports
// whether the field was inserted.
func (t *dynamicTable) add(name, value []byte) bool {
	sz := uint32(len(name) + len(value) + entryOverhead)
	if sz > t.maxSize {
		t.evictTo(0) // moves no bytes: name and value stay readable
		return false
	}
	t.tmp = append(append(t.tmp[:0], name...), value...)
	t.evictTo(t.maxSize - sz)
	// Compact when the byte buffer would grow while holding dead bytes, or
	// when dead entries pile up (empty fields evict without freeing bytes).
	if t.bufHead > 0 && len(t.buf)+len(t.tmp) > cap(t.buf) || t.entHead >= maxDeadEntries {
		t.compact()
	}
	t.ents = append(t.ents, tableEntry{off: len(t.buf), nameLen: len(name), valueLen: len(value)})
	t.buf = append(t.buf, t.tmp...)
	t.size += sz
	return true
}

// compact moves the live entries to the front of their buffers.
func (t *dynamicTable) compact() {
	n := copy(t.buf, t.buf[t.bufHead:])
	t.buf = t.buf[:n]
	live := copy(t.ents, t.ents[t.entHead:])
	t.ents = t.ents[:live]
	for i := range t.ents {
		t.ents[i].off -= t.bufHead
	}
	t.bufHead, t.entHead = 0, 0
}
