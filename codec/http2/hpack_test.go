package http2

import (
	"encoding/hex"
	"strings"
	"testing"

	"golang.org/x/net/http2/hpack"
)

func decodeAll(t *testing.T, d *Decoder, block []byte) ([]string, error) {
	t.Helper()
	var got []string
	err := d.Decode(block, func(name, value []byte) { got = append(got, string(name)+": "+string(value)) })
	return got, err
}

func unhex(s string) []byte {
	b, err := hex.DecodeString(strings.ReplaceAll(s, " ", ""))
	if err != nil {
		panic(err)
	}
	return b
}

// RFC 7541 Appendix C.3 (raw) and C.4 (Huffman): three requests on one
// connection, exercising the dynamic table between them.
func TestHPACKRFC7541Examples(t *testing.T) {
	want := [][]string{
		{":method: GET", ":scheme: http", ":path: /", ":authority: www.example.com"},
		{":method: GET", ":scheme: http", ":path: /", ":authority: www.example.com", "cache-control: no-cache"},
		{":method: GET", ":scheme: https", ":path: /index.html", ":authority: www.example.com", "custom-key: custom-value"},
	}
	for name, blocks := range map[string][]string{
		"C.3": {
			"8286 8441 0f77 7777 2e65 7861 6d70 6c65 2e63 6f6d",
			"8286 84be 5808 6e6f 2d63 6163 6865",
			"8287 85bf 400a 6375 7374 6f6d 2d6b 6579 0c63 7573 746f 6d2d 7661 6c75 65",
		},
		"C.4": {
			"8286 8441 8cf1 e3c2 e5f2 3a6b a0ab 90f4 ff",
			"8286 84be 5886 a8eb 1064 9cbf",
			"8287 85bf 4088 25a8 49e9 5ba9 7d7f 8925 a849 e95b b8e8 b4bf",
		},
	} {
		d := NewDecoder(4096, 1<<16)
		for i, b := range blocks {
			got, err := decodeAll(t, d, unhex(b))
			if err != nil || strings.Join(got, "\n") != strings.Join(want[i], "\n") {
				t.Fatalf("%s request %d: %q, %v", name, i+1, got, err)
			}
		}
		// C.3.3/C.4.3: the table holds three entries, 164 bytes.
		if d.table.len() != 3 || d.table.size != 164 {
			t.Fatalf("%s: table %d entries, %d bytes", name, d.table.len(), d.table.size)
		}
	}
}

// RFC 7541 C.5: responses with a 256-byte table, so entries are evicted.
func TestHPACKEviction(t *testing.T) {
	d := NewDecoder(256, 1<<16)
	d.table.setMaxSize(256)
	for i, b := range []string{
		"4803 3330 3258 0770 7269 7661 7465 611d 4d6f 6e2c 2032 3120 4f63 7420 3230 3133 2032 303a 3133 3a32 3120 474d 546e 1768 7474 7073 3a2f 2f77 7777 2e65 7861 6d70 6c65 2e63 6f6d",
		"4803 3330 37c1 c0bf",
		"88c1 611d 4d6f 6e2c 2032 3120 4f63 7420 3230 3133 2032 303a 3133 3a32 3220 474d 54c0 5a04 677a 6970 7738 666f 6f3d 4153 444a 4b48 514b 425a 584f 5157 454f 5049 5541 5851 5745 4f49 553b 206d 6178 2d61 6765 3d33 3630 303b 2076 6572 7369 6f6e 3d31",
	} {
		if _, err := decodeAll(t, d, unhex(b)); err != nil {
			t.Fatalf("response %d: %v", i+1, err)
		}
	}
	if d.table.len() != 3 || d.table.size != 215 {
		t.Fatalf("table %d entries, %d bytes; want 3, 215", d.table.len(), d.table.size)
	}
	name, value := d.table.at(1)
	if string(name) != "set-cookie" || !strings.HasPrefix(string(value), "foo=ASDJKHQKBZXOQWEOPIUAXQWEOIU") {
		t.Fatalf("newest entry %s: %s", name, value)
	}
}

func TestHPACKErrors(t *testing.T) {
	huffPadded := func(s string, extra byte) string {
		v := hpack.AppendHuffmanString(nil, s)
		v = append(v, extra)
		return hex.EncodeToString(append([]byte{0x00, 0x81, 'a', 0x80 | byte(len(v))}, v...))
	}
	for name, block := range map[string]string{
		"index 0":                      "80",
		"index past the tables":        "be",        // 62: dynamic table empty
		"literal name index past":      "7f00 0161", // 6-bit index 63
		"size update above setting":    "3fe2 1f",   // 31+98+31*128 = 4097
		"size update after a field":    "82 20",
		"truncated integer":            "ff",
		"huge integer":                 "ff ffff ffff ff7f",
		"string past the block":        "0085 6162",
		"padding longer than 7 bits":   huffPadded("a", 0xff),
		"padding not a prefix of EOS":  "0081 6181 00",
		"EOS in the string":            "0081 6184 ffff ffff",
		"truncated literal name index": "00",
	} {
		d := NewDecoder(4096, 1<<16)
		_, err := decodeAll(t, d, unhex(strings.ReplaceAll(block, " ", "")))
		if ce, ok := err.(*ConnError); !ok || ce.Code != ErrCodeCompression {
			t.Errorf("%s: %v, want COMPRESSION_ERROR", name, err)
		}
	}
	// Two size updates at the start of a block are fine (§4.2), and the
	// second sets the table to exactly SETTINGS_HEADER_TABLE_SIZE (4096).
	d := NewDecoder(4096, 1<<16)
	if _, err := decodeAll(t, d, unhex("20 3fe1 1f 82")); err != nil {
		t.Fatalf("size updates at the start: %v", err)
	}
}

func TestHPACKListLimit(t *testing.T) {
	// :method GET is 7+3+32 = 42 bytes.
	for limit, wantErr := range map[uint32]bool{84: false, 83: true} {
		d := NewDecoder(4096, limit)
		got, err := decodeAll(t, d, unhex("8282"))
		if wantErr != (err == ErrHeaderListTooLarge) || !wantErr && len(got) != 2 {
			t.Errorf("limit %d: %q, %v", limit, got, err)
		}
	}
}

// The dynamic table reuses its memory: churning entries through it does
// not grow its buffers past a bound.
func TestHPACKTableBounded(t *testing.T) {
	d := NewDecoder(4096, 1<<20)
	var block []byte
	for i := 0; i < 10000; i++ {
		block = block[:0]
		block = append(block, 0x40)
		block = appendString(block, []byte("k"))
		block = appendString(block, []byte(strings.Repeat("v", i%200)))
		block = append(block, 0x40, 0, 0) // empty name and value: a 32-byte entry
		if _, err := decodeAll(t, d, block); err != nil {
			t.Fatal(err)
		}
	}
	if cap(d.table.buf) > 2*4096 || cap(d.table.ents) > 4096/entryOverhead+2*maxDeadEntries+64 {
		t.Fatalf("table buffers grew to %d bytes, %d entries", cap(d.table.buf), cap(d.table.ents))
	}
}

func TestHPACKDecodeAllocs(t *testing.T) {
	d := NewDecoder(4096, 1<<16)
	block := getBlock()
	emit := func(name, value []byte) {}
	d.Decode(block, emit)
	if n := testing.AllocsPerRun(100, func() { d.Decode(block, emit) }); n != 0 {
		t.Fatalf("%v allocs per block", n)
	}
}

// A literal that indexes a new entry under the name of an older entry may
// evict that very entry (RFC 7541 §4.4); the field must still come out
// with the right name after the table moved its bytes.
func TestHPACKInsertEvictsItsOwnName(t *testing.T) {
	var b []byte
	b = appendInt(b, 0x20, 5, 100) // table size 100
	b = append(b, 0x40)
	b = appendString(appendString(b, []byte("aaaa")), []byte(strings.Repeat("x", 20))) // 56 bytes
	b = append(b, 0x40)
	b = appendString(appendString(b, []byte("bb")), []byte(strings.Repeat("y", 8))) // 42 bytes
	for n := 11; n <= 22; n++ {
		d := NewDecoder(4096, 1<<16)
		blk := appendInt(append([]byte(nil), b...), 0x40, 6, 63) // name of dynamic entry 2, "aaaa"
		blk = appendString(blk, []byte(strings.Repeat("z", n)))
		got, err := decodeAll(t, d, blk)
		if err != nil || got[2] != "aaaa: "+strings.Repeat("z", n) {
			t.Fatalf("value %d: %q, %v", n, got, err)
		}
		if name, _ := d.table.at(1); string(name) != "aaaa" {
			t.Fatalf("value %d: table holds %q", n, name)
		}
	}
}
