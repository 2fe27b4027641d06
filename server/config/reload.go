package config

// Changed lists, as dotted names in table order, the settings whose values differ.
func Changed(old, next Config) []string { return changed(old, next, func(*field) bool { return true }) }

// RestartRequired lists the changed settings a running server cannot apply (addresses, event
// loops, CPU pinning, buffer and pool sizes, pq keys…): a SIGHUP reload keeps their old values
// and reports them.
func RestartRequired(old, next Config) []string {
	return changed(old, next, func(f *field) bool { return f.restart })
}

// Reload returns the configuration a running server should switch to on SIGHUP: next, except that
// settings needing a restart keep their running values. It also returns those settings' names, for
// the server to log.
func Reload(running, next Config) (applied Config, needRestart []string) {
	needRestart = RestartRequired(running, next)
	for _, name := range needRestart {
		f := lookupField(name)
		f.value(&next).Set(f.value(&running))
	}
	return next, needRestart
}

func changed(old, next Config, include func(*field) bool) []string {
	var names []string
	for i := range fields {
		f := &fields[i]
		if include(f) && !equalValues(f.get(old), f.get(next)) {
			names = append(names, f.name)
		}
	}
	return names
}
