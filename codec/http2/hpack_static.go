package http2

// staticTable is the RFC 7541 Appendix A static table; index i+1 is
// staticTable[i].
var staticTable = [...][2]string{
	{":authority", ""},
	{":method", "GET"},
	{":method", "POST"},
	{":path", "/"},
	{":path", "/index.html"},
	{":scheme", "http"},
	{":scheme", "https"},
	{":status", "200"},
	{":status", "204"},
	{":status", "206"},
	{":status", "304"},
	{":status", "400"},
	{":status", "404"},
	{":status", "500"},
	{"accept-charset", ""},
	{"accept-encoding", "gzip, deflate"},
	{"accept-language", ""},
	{"accept-ranges", ""},
	{"accept", ""},
	{"access-control-allow-origin", ""},
	{"age", ""},
	{"allow", ""},
	{"authorization", ""},
	{"cache-control", ""},
	{"content-disposition", ""},
	{"content-encoding", ""},
	{"content-language", ""},
	{"content-length", ""},
	{"content-location", ""},
	{"content-range", ""},
	{"content-type", ""},
	{"cookie", ""},
	{"date", ""},
	{"etag", ""},
	{"expect", ""},
	{"expires", ""},
	{"from", ""},
	{"host", ""},
	{"if-match", ""},
	{"if-modified-since", ""},
	{"if-none-match", ""},
	{"if-range", ""},
	{"if-unmodified-since", ""},
	{"last-modified", ""},
	{"link", ""},
	{"location", ""},
	{"max-forwards", ""},
	{"proxy-authenticate", ""},
	{"proxy-authorization", ""},
	{"range", ""},
	{"referer", ""},
	{"refresh", ""},
	{"retry-after", ""},
	{"server", ""},
	{"set-cookie", ""},
	{"strict-transport-security", ""},
	{"transfer-encoding", ""},
	{"user-agent", ""},
	{"vary", ""},
	{"via", ""},
	{"www-authenticate", ""},
}

// staticEntry holds the static table as byte slices, so the decoder hands
// out table fields without converting.
type staticEntry struct{ name, value []byte }

var staticBytes = func() (t [len(staticTable)]staticEntry) {
	for i, e := range staticTable {
		t[i] = staticEntry{[]byte(e[0]), []byte(e[1])}
	}
	return t
}()

// staticNameIndex maps a header name to its first static index, for the
// encoder's literal-with-indexed-name form.
var staticNameIndex = func() map[string]uint8 {
	m := make(map[string]uint8, len(staticTable))
	for i := len(staticTable) - 1; i >= 0; i-- {
		m[staticTable[i][0]] = uint8(i + 1)
	}
	return m
}()
