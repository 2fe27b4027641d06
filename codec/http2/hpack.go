package http2

import (
	"errors"

	"golang.org/x/net/http2/hpack"
)

// HPACK (RFC 7541) decoding, written here rather than taken from
// x/net/http2/hpack because that decoder turns every literal into a Go
// string: one allocation per field per request. This one hands out slices
// of the block, the tables or a reused scratch buffer. Huffman decoding is
// x/net's, which reuses pooled buffers.

// entryOverhead is the per-entry size overhead of RFC 7541 §4.1.
const entryOverhead = 32

// maxHPACKInt bounds decoded integers (§5.1 leaves the limit to us); every
// legitimate value (indexes, lengths, table sizes) is far below it.
const maxHPACKInt = 1 << 24

// ErrHeaderListTooLarge is returned by Decoder.Decode when the decoded list
// exceeded the limit. The block was still decoded in full, so the dynamic
// table stays in step with the peer's encoder; only emission stopped.
var ErrHeaderListTooLarge = errors.New("hpack: header list larger than the limit")

func errCompression(reason string) error { return connErr(ErrCodeCompression, reason) }

// Decoder decodes HPACK header blocks of one connection direction.
type Decoder struct {
	table        dynamicTable
	maxTableSize uint32 // our SETTINGS_HEADER_TABLE_SIZE: the ceiling for size updates
	maxListSize  uint32 // bound on the decoded list, counted as in §4.1
	huff         appendBuffer
}

// NewDecoder returns a decoder for a peer told SETTINGS_HEADER_TABLE_SIZE
// = maxTableSize, that stops emitting fields once the decoded list exceeds
// maxListSize (name + value + 32 per field, RFC 9113 §6.5.2).
func NewDecoder(maxTableSize, maxListSize uint32) *Decoder {
	d := &Decoder{}
	d.init(maxTableSize, maxListSize)
	return d
}

func (d *Decoder) init(maxTableSize, maxListSize uint32) {
	d.maxTableSize = maxTableSize
	d.maxListSize = maxListSize
	d.table.maxSize = maxTableSize
}

// Decode decodes one complete header block, calling emit for each field.
// The slices passed to emit are valid only during that call. Any
// representation error is a COMPRESSION_ERROR connection error (§4.3).
func (d *Decoder) Decode(block []byte, emit func(name, value []byte)) error {
	var listSize uint64
	fieldSeen := false
	for len(block) > 0 {
		b := block[0]
		var name, value []byte
		var err error
		switch {
		case b&0x80 != 0: // §6.1 indexed field
			var idx uint64
			if idx, block, err = decodeInt(block, 7); err != nil {
				return err
			}
			if name, value, err = d.at(idx); err != nil {
				return err
			}
		case b&0xc0 == 0x40: // §6.2.1 literal with incremental indexing
			if name, value, block, err = d.literal(block, 6); err != nil {
				return err
			}
			// The name may alias an entry the insertion evicts and moves:
			// emit the table's copy.
			if d.table.add(name, value) {
				name, value = d.table.at(1)
			}
		case b&0xe0 == 0x20: // §6.3 dynamic table size update
			if fieldSeen {
				return errCompression("dynamic table size update after a field")
			}
			var size uint64
			if size, block, err = decodeInt(block, 5); err != nil {
				return err
			}
			if size > uint64(d.maxTableSize) {
				return errCompression("dynamic table size update above SETTINGS_HEADER_TABLE_SIZE")
			}
			d.table.setMaxSize(uint32(size))
			continue
		default: // §6.2.2 without indexing, §6.2.3 never indexed: 4-bit prefix
			if name, value, block, err = d.literal(block, 4); err != nil {
				return err
			}
		}
		fieldSeen = true
		listSize += uint64(len(name) + len(value) + entryOverhead)
		if listSize <= uint64(d.maxListSize) {
			emit(name, value)
		}
	}
	if listSize > uint64(d.maxListSize) {
		return ErrHeaderListTooLarge
	}
	return nil
}

// at returns the field at a §2.3.3 index: static first, then dynamic.
func (d *Decoder) at(idx uint64) (name, value []byte, err error) {
	switch {
	case idx == 0:
		return nil, nil, errCompression("index 0")
	case idx <= uint64(len(staticBytes)):
		e := &staticBytes[idx-1]
		return e.name, e.value, nil
	}
	idx -= uint64(len(staticBytes))
	if idx > uint64(d.table.len()) {
		return nil, nil, errCompression("index beyond the dynamic table")
	}
	name, value = d.table.at(int(idx))
	return name, value, nil
}

// literal decodes a §6.2 literal field whose name index has prefix bits.
func (d *Decoder) literal(block []byte, prefix uint8) (name, value, rest []byte, err error) {
	var idx uint64
	if idx, rest, err = decodeInt(block, prefix); err != nil {
		return
	}
	d.huff.b = d.huff.b[:0]
	if idx == 0 {
		if name, rest, err = d.decodeString(rest); err != nil {
			return
		}
	} else if name, _, err = d.at(idx); err != nil {
		return
	}
	value, rest, err = d.decodeString(rest)
	return
}

// decodeString decodes a §5.2 string literal. Huffman output goes to the
// scratch buffer; raw strings alias the block.
func (d *Decoder) decodeString(b []byte) (s, rest []byte, err error) {
	if len(b) == 0 {
		return nil, nil, errCompression("truncated string")
	}
	huffman := b[0]&0x80 != 0
	n, b, err := decodeInt(b, 7)
	if err != nil {
		return nil, nil, err
	}
	if n > uint64(len(b)) {
		return nil, nil, errCompression("string longer than the block")
	}
	s, rest = b[:n], b[n:]
	if !huffman {
		return s, rest, nil
	}
	start := len(d.huff.b)
	if _, err := hpack.HuffmanDecode(&d.huff, s); err != nil {
		return nil, nil, errCompression("invalid Huffman string")
	}
	return d.huff.b[start:], rest, nil
}

// decodeInt decodes a §5.1 integer with an n-bit prefix.
func decodeInt(b []byte, n uint8) (uint64, []byte, error) {
	if len(b) == 0 {
		return 0, nil, errCompression("truncated integer")
	}
	mask := uint64(1)<<n - 1
	v := uint64(b[0]) & mask
	b = b[1:]
	if v < mask {
		return v, b, nil
	}
	for shift := uint(0); ; shift += 7 {
		if len(b) == 0 {
			return 0, nil, errCompression("truncated integer")
		}
		c := b[0]
		b = b[1:]
		v += uint64(c&0x7f) << shift
		if v > maxHPACKInt {
			return 0, nil, errCompression("integer too large")
		}
		if c&0x80 == 0 {
			return v, b, nil
		}
	}
}

// appendBuffer is an io.Writer that appends, for the Huffman decoder.
type appendBuffer struct{ b []byte }

func (a *appendBuffer) Write(p []byte) (int, error) {
	a.b = append(a.b, p...)
	return len(p), nil
}
