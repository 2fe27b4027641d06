package mcp

// LogLevel is a syslog severity (RFC 5424 section 6.2.1), the scale MCP's
// logging/setLevel and notifications/message use. Higher is more severe.
type LogLevel int32

const (
	LevelDebug LogLevel = iota
	LevelInfo
	LevelNotice
	LevelWarning
	LevelError
	LevelCritical
	LevelAlert
	LevelEmergency
)

var logLevelNames = [...]string{"debug", "info", "notice", "warning", "error", "critical", "alert", "emergency"}

func (l LogLevel) String() string {
	if l < 0 || int(l) >= len(logLevelNames) {
		return "unknown"
	}
	return logLevelNames[l]
}

// parseLogLevel reads a level name.
func parseLogLevel(s string) (LogLevel, bool) {
	for i, n := range logLevelNames {
		if n == s {
			return LogLevel(i), true
		}
	}
	return 0, false
}

// defaultLogLevel is what a session sends before logging/setLevel: info and
// above, as the reference servers do.
const defaultLogLevel = LevelInfo
