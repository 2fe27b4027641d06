package loadgen

import (
	"bufio"
	"bytes"
	"os"
	"strconv"
	"time"

	"github.com/pqloop/pqloop/internal/cputime"
)

// The measured window's CPU accounting: how much of the machine the
// hypervisor stole, and how busy the load tool itself was. Either one near
// its limit means a latency figure says little about the server.

// cpuTimes is the machine-wide line of /proc/stat: total and steal ticks.
// Steal is time the hypervisor gave this VM's CPUs to someone else; on a
// shared machine it shows up as latency spikes neither the server nor the
// load generator caused, so each result carries it.
type cpuTimes struct{ total, steal uint64 }

// readCPUTimes reads /proc/stat; ok is false where there is none.
func readCPUTimes() (t cpuTimes, ok bool) {
	b, err := os.ReadFile("/proc/stat")
	if err != nil {
		return t, false
	}
	sc := bufio.NewScanner(bytes.NewReader(b))
	if !sc.Scan() {
		return t, false
	}
	fields := bytes.Fields(sc.Bytes())
	// cpu user nice system idle iowait irq softirq steal guest guest_nice;
	// guest time is already counted in user, so it is left out of total.
	if len(fields) < 9 || string(fields[0]) != "cpu" {
		return t, false
	}
	for i, f := range fields[1:9] {
		v, err := strconv.ParseUint(string(f), 10, 64)
		if err != nil {
			return t, false
		}
		t.total += v
		if i == 7 {
			t.steal = v
		}
	}
	return t, true
}

// stealPercent is the share of CPU time stolen between two readings.
func stealPercent(from, to cpuTimes) float64 {
	if to.total <= from.total {
		return 0
	}
	return 100 * float64(to.steal-from.steal) / float64(to.total-from.total)
}

// cpuSample is taken when the measured window starts and when it ends.
type cpuSample struct {
	host   cpuTimes
	hostOK bool
	self   time.Duration // cputime.Process
	at     time.Time
}

func sampleCPU() cpuSample {
	h, ok := readCPUTimes()
	return cpuSample{host: h, hostOK: ok, self: cputime.Process(), at: time.Now()}
}

// cpuWindow returns the host's steal and this process's CPU use between two
// samples, in percent (the latter of one core: 150 is one and a half busy
// cores); -1 where unknown.
func cpuWindow(from, to cpuSample) (steal, self float64) {
	steal, self = -1, -1
	if from.hostOK && to.hostOK {
		steal = stealPercent(from.host, to.host)
	}
	if wall := to.at.Sub(from.at); wall > 0 && to.self > 0 {
		self = 100 * float64(to.self-from.self) / float64(wall)
	}
	return steal, self
}
