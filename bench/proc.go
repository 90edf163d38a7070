package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// adminToken is the bootstrap admin token the benchmark's servers run with.
const adminToken = "bench-admin-token-0123456789abcdef"

// goTool finds the go command.
func goTool() string {
	if root := runtime.GOROOT(); root != "" {
		if p := filepath.Join(root, "bin", "go"); fileExists(p) {
			return p
		}
	}
	if p, err := exec.LookPath("go"); err == nil {
		return p
	}
	return "/usr/local/go/bin/go"
}

func fileExists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}

// moduleRoot is the directory holding go.mod.
func moduleRoot() (string, error) {
	out, err := exec.Command(goTool(), "env", "GOMOD").Output()
	if err != nil {
		return "", fmt.Errorf("go env GOMOD: %w", err)
	}
	mod := strings.TrimSpace(string(out))
	if mod == "" || mod == os.DevNull {
		return "", errors.New("run the benchmark inside the doorstep module")
	}
	return filepath.Dir(mod), nil
}

// buildBinary builds cmd/doorstep into dir, retrying a few times: other
// packages may be mid-edit.
func buildBinary(dir string) (string, error) {
	root, err := moduleRoot()
	if err != nil {
		return "", err
	}
	bin := filepath.Join(dir, "doorstep")
	var out []byte
	for attempt := 0; attempt < 4; attempt++ {
		cmd := exec.Command(goTool(), "build", "-o", bin, "./cmd/doorstep")
		cmd.Dir = root
		out, err = cmd.CombinedOutput()
		if err == nil {
			return bin, nil
		}
		time.Sleep(5 * time.Second)
	}
	return "", fmt.Errorf("go build ./cmd/doorstep: %v\n%s", err, out)
}

// serveFlags reports which optional serve flags the binary has, from its -h.
func serveFlags(bin string) map[string]bool {
	out, _ := exec.Command(bin, "serve", "-h").CombinedOutput()
	flags := map[string]bool{}
	sc := bufio.NewScanner(strings.NewReader(string(out)))
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) > 0 && strings.HasPrefix(f[0], "--") {
			flags[strings.TrimPrefix(f[0], "--")] = true
		}
	}
	return flags
}

// serveProc is a running "doorstep serve".
type serveProc struct {
	cmd  *exec.Cmd
	url  string
	data string
	log  string
	done chan struct{}
}

func freeAddr() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer ln.Close()
	return ln.Addr().String(), nil
}

// startServe runs the binary's serve on a free loopback port with a fresh data
// dir under dir, and waits for /readyz.
func startServe(ctx context.Context, bin, dir string, extra ...string) (*serveProc, error) {
	addr, err := freeAddr()
	if err != nil {
		return nil, err
	}
	data := filepath.Join(dir, "data")
	logPath := filepath.Join(dir, "serve.log")
	logf, err := os.Create(logPath)
	if err != nil {
		return nil, err
	}
	defer logf.Close()
	args := append([]string{"serve", "--data", data, "--addr", addr, "--log-format", "json"}, extra...)
	cmd := exec.Command(bin, args...)
	cmd.Env = append(cleanEnv(), "DOORSTEP_ADMIN_TOKEN="+adminToken)
	cmd.Stdout, cmd.Stderr = logf, logf
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	p := &serveProc{cmd: cmd, url: "http://" + addr, data: data, log: logPath, done: make(chan struct{})}
	go func() { cmd.Wait(); close(p.done) }()
	c := &http.Client{Timeout: time.Second}
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		if resp, err := c.Get(p.url + "/readyz"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return p, nil
			}
		}
		select {
		case <-p.done:
			return nil, fmt.Errorf("serve exited: %s", tail(logPath))
		case <-ctx.Done():
			p.stop()
			return nil, ctx.Err()
		case <-time.After(50 * time.Millisecond):
		}
	}
	p.stop()
	return nil, fmt.Errorf("serve not ready within 20 s: %s", tail(logPath))
}

// stop sends SIGTERM and waits, killing it after 15 s.
func (p *serveProc) stop() error {
	select {
	case <-p.done:
		return nil
	default:
	}
	p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.done:
	case <-time.After(15 * time.Second):
		p.cmd.Process.Kill()
		<-p.done
		return errors.New("serve did not stop within 15 s of SIGTERM")
	}
	if code := p.cmd.ProcessState.ExitCode(); code != 0 {
		return fmt.Errorf("serve exited %d: %s", code, tail(p.log))
	}
	return nil
}

// memory is what /proc/PID/status says of a process's memory, in KiB.
type memory struct {
	HWM, RSS, Anon, File int
}

func procMemory(pid int) (memory, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return memory{}, err
	}
	var m memory
	for _, line := range strings.Split(string(b), "\n") {
		f := strings.Fields(line)
		if len(f) < 2 {
			continue
		}
		v, _ := strconv.Atoi(f[1])
		switch f[0] {
		case "VmHWM:":
			m.HWM = v
		case "VmRSS:":
			m.RSS = v
		case "RssAnon:":
			m.Anon = v
		case "RssFile:":
			m.File = v
		}
	}
	return m, nil
}

func (p *serveProc) memory() (memory, error) { return procMemory(p.cmd.Process.Pid) }

// dataSize is the store file's size.
func (p *serveProc) dataSize() int64 {
	fi, err := os.Stat(filepath.Join(p.data, "doorstep.db"))
	if err != nil {
		return 0
	}
	return fi.Size()
}

// cleanEnv is the environment without DOORSTEP_* variables.
func cleanEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "DOORSTEP_") {
			env = append(env, kv)
		}
	}
	return env
}

// tail is the end of a log file, for error messages.
func tail(path string) string {
	b, _ := os.ReadFile(path)
	if len(b) > 2000 {
		b = b[len(b)-2000:]
	}
	return string(b)
}

// metrics reads the server's /metrics and returns the samples whose names
// start with prefix (labels dropped, values summed).
func (p *serveProc) metrics(prefix string) map[string]float64 {
	out := map[string]float64{}
	resp, err := http.Get(p.url + "/metrics")
	if err != nil {
		return out
	}
	defer resp.Body.Close()
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if !strings.HasPrefix(line, prefix) {
			continue
		}
		name, val, ok := strings.Cut(line, " ")
		if !ok {
			continue
		}
		if i := strings.IndexByte(name, '{'); i >= 0 {
			name = name[:i]
		}
		v, err := strconv.ParseFloat(strings.TrimSpace(val), 64)
		if err == nil {
			out[name] += v
		}
	}
	return out
}
