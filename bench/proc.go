package main

import (
	"bufio"
	"bytes"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"
)

// What the benchmark reads about processes comes from /proc (Linux): the peak resident set
// (VmHWM in /proc/<pid>/status, which "5" written to /proc/<pid>/clear_refs resets) and the
// CPU time (utime + stime in /proc/<pid>/stat).

// clockTicks is USER_HZ, the unit of utime and stime; 100 on every Linux the benchmark runs on.
const clockTicks = 100

// peakRSSKiB returns the VmHWM of pid in KiB, or 0 when the process is gone.
func peakRSSKiB(pid int) int64 {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		return 0
	}
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "VmHWM:"); ok {
			n, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			return n
		}
	}
	return 0
}

// resetPeakRSS starts a new VmHWM measurement for pid (Linux 4.0+). Where the kernel refuses,
// the peak read later covers the process's whole life: overstated, never understated.
func resetPeakRSS(pid int) {
	_ = os.WriteFile("/proc/"+strconv.Itoa(pid)+"/clear_refs", []byte("5"), 0)
}

// procStat is the part of /proc/<pid>/stat the benchmark uses.
type procStat struct {
	ppid int
	cpu  time.Duration // utime + stime
}

func readStat(pid int) (procStat, bool) {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return procStat{}, false
	}
	// The command name is in parentheses and may hold spaces; the fields after it are plain.
	i := bytes.LastIndexByte(b, ')')
	if i < 0 {
		return procStat{}, false
	}
	f := strings.Fields(string(b[i+1:]))
	// f[0] is the state (field 3); ppid is field 4, utime 14, stime 15.
	if len(f) < 13 {
		return procStat{}, false
	}
	ppid, _ := strconv.Atoi(f[1])
	ut, _ := strconv.ParseInt(f[11], 10, 64)
	st, _ := strconv.ParseInt(f[12], 10, 64)
	return procStat{ppid: ppid, cpu: time.Duration(ut+st) * time.Second / clockTicks}, true
}

// cpuTime is the CPU time pid has used so far.
func cpuTime(pid int) time.Duration {
	s, _ := readStat(pid)
	return s.cpu
}

// childWatcher follows the children of one process (terraform) whose executable has a given
// base name (the provider plugin), polling /proc: Terraform starts the plugin several times
// during one command (to read its schema, to plan, to apply) and stops each one when done,
// so the watcher keeps the highest VmHWM and the sum of the last CPU time it saw of every
// instance. A process is sampled every interval; what an instance does in its last interval
// before it exits is missed, which for VmHWM (a high-water mark) is rarely anything.
type childWatcher struct {
	parent   int
	exe      string
	interval time.Duration

	mu        sync.Mutex
	peak      int64                 // KiB
	cpu       map[int]time.Duration // last CPU time seen per instance
	instances int
	stop      chan struct{}
	done      chan struct{}
}

func watchChildren(parent int, exe string, interval time.Duration) *childWatcher {
	w := &childWatcher{parent: parent, exe: exe, interval: interval, cpu: map[int]time.Duration{},
		stop: make(chan struct{}), done: make(chan struct{})}
	go w.loop()
	return w
}

func (w *childWatcher) loop() {
	defer close(w.done)
	names := map[int]string{} // pid → executable base name, read once per process
	t := time.NewTicker(w.interval)
	defer t.Stop()
	for {
		w.sample(names)
		select {
		case <-w.stop:
			return
		case <-t.C:
		}
	}
}

func (w *childWatcher) sample(names map[int]string) {
	entries, err := os.ReadDir("/proc")
	if err != nil {
		return
	}
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		st, ok := readStat(pid)
		if !ok || st.ppid != w.parent {
			continue
		}
		name, seen := names[pid]
		if !seen {
			exe, _ := os.Readlink("/proc/" + e.Name() + "/exe")
			name = filepath.Base(exe)
			names[pid] = name
		}
		if name != w.exe {
			continue
		}
		rss := peakRSSKiB(pid)
		w.mu.Lock()
		if _, ok := w.cpu[pid]; !ok {
			w.instances++
		}
		w.cpu[pid] = st.cpu
		w.peak = max(w.peak, rss)
		w.mu.Unlock()
	}
}

// finish stops watching and returns the peak RSS (KiB), the total CPU time and the number of
// plugin instances seen.
func (w *childWatcher) finish() (int64, time.Duration, int) {
	close(w.stop)
	<-w.done
	w.mu.Lock()
	defer w.mu.Unlock()
	var cpu time.Duration
	for _, c := range w.cpu {
		cpu += c
	}
	return w.peak, cpu, w.instances
}
