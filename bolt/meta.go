package bolt

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"os"
)

// bbolt's file format (version 2): each of the first two pages holds a
// 16-byte page header and then the meta record, in native byte order.
const (
	boltMagic      = 0xED0CDAED
	boltVersion    = 2
	pageHeaderSize = 16
	metaSize       = 56 // magic, version, page size, flags (4 each), root bucket (16), freelist, pgid, txid (8 each)
)

// checkLength refuses a bbolt file shorter than its own meta page says.
// bbolt maps the file and would die of SIGBUS reading past its end, so a
// truncated backup must be caught before bbolt sees it. It reads only meta
// records whose checksum holds, which bbolt writes after growing the file, so
// it never mistakes a file another process is writing for a truncated one. A
// missing or empty file passes (bbolt creates it); a file with no valid meta
// record is left for bbolt to refuse.
func checkLength(path string) error {
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil || st.Size() == 0 {
		return err
	}
	var best struct {
		ok         bool
		txid, need uint64
	}
	consider := func(off int64) uint32 {
		buf := make([]byte, pageHeaderSize+metaSize+8)
		if _, err := f.ReadAt(buf, off); err != nil && !errors.Is(err, io.EOF) {
			return 0
		}
		m := buf[pageHeaderSize:]
		ne := binary.NativeEndian
		h := fnv.New64a()
		h.Write(m[:metaSize])
		if ne.Uint32(m[0:]) != boltMagic || ne.Uint32(m[4:]) != boltVersion || ne.Uint64(m[metaSize:]) != h.Sum64() {
			return 0
		}
		pageSize, pgid, txid := ne.Uint32(m[8:]), ne.Uint64(m[40:]), ne.Uint64(m[48:])
		if !best.ok || txid > best.txid {
			best.ok, best.txid, best.need = true, txid, pgid*uint64(pageSize)
		}
		return pageSize
	}
	pageSize := consider(0)
	if pageSize == 0 {
		pageSize = uint32(os.Getpagesize())
	}
	consider(int64(pageSize))
	if best.ok && uint64(st.Size()) < best.need {
		return fmt.Errorf("file is truncated: %d bytes, its meta page needs %d", st.Size(), best.need)
	}
	return nil
}
