// Package tlscompare holds side-by-side benchmarks of pqloop's secure
// channel (codec/pq through pqnet) and Go's crypto/tls TLS 1.3 with the
// X25519MLKEM768 hybrid key exchange: full handshakes, and bulk transfer
// over loopback TCP at 1 KiB and 16 KiB writes.
//
//	go test -run XXX -bench . -benchtime=1s ./perf/tlscompare
package tlscompare
