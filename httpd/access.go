package httpd

import "log/slog"

// accessRecord is one access-log line, copied off the loop.
type accessRecord struct {
	method, path, id, remote string
	status                   int
	micros                   int64
	proto                    string
}

// logAccess hands a record to the access-log writer; when the writer falls
// behind, records are dropped rather than slowing the loop.
func (s *Server) logAccess(x *exchange, nanos int64) {
	rec := accessRecord{
		method: string(x.r.Method), path: string(x.r.Path), id: string(x.r.ID),
		remote: x.r.RemoteAddr.String(), status: x.w.Status, micros: nanos / 1000, proto: x.r.Proto.String(),
	}
	select {
	case s.access <- rec:
	default:
	}
}

func (s *Server) writeAccessLog() {
	for rec := range s.access {
		s.log.Info("access", slog.String("method", rec.method), slog.String("path", rec.path),
			slog.Int("status", rec.status), slog.Int64("us", rec.micros), slog.String("proto", rec.proto),
			slog.String("remote", rec.remote), slog.String("request_id", rec.id))
	}
}
