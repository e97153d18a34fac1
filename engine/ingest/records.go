package ingest

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding/unicode"
	"golang.org/x/text/transform"

	"github.com/lomsong/lomsong/engine"
)

// Records is a stream of rows from one input table, each row as the
// strings of its fields. Implementations: CSV (this package) and Parquet
// or Arrow IPC through package arrowio.
type Records interface {
	// Header returns the column names (for a headerless format, the names
	// the format defines).
	Header() []string
	// Next advances to the next row; false at the end or on a fatal error.
	Next() bool
	// Record returns the fields of the current row. The slice is reused by
	// the next call to Next. A row that could not be split into fields has
	// a nil record and a non-nil RowErr.
	Record() []string
	// RowErr is the per-row problem (a malformed CSV line), or nil.
	RowErr() error
	// Line returns the 1-based position of the current row in the source:
	// the line number for CSV (counting the header), the row number for
	// columnar files.
	Line() int64
	// Err returns the error that stopped the stream, if any.
	Err() error
}

// Format is an input file format.
type Format int

// Formats recognised by Sniff.
const (
	FormatUnknown Format = iota
	FormatCSV
	FormatParquet
	FormatArrowFile
	FormatArrowStream
)

func (f Format) String() string {
	return [...]string{"unknown", "csv", "parquet", "arrow-file", "arrow-stream"}[f]
}

// Sniff tells the format from the first bytes of a (decompressed) file.
func Sniff(head []byte) Format {
	switch {
	case bytes.HasPrefix(head, []byte("PAR1")):
		return FormatParquet
	case bytes.HasPrefix(head, []byte("ARROW1")):
		return FormatArrowFile
	case len(head) >= 4 && head[0] == 0xff && head[1] == 0xff && head[2] == 0xff && head[3] == 0xff:
		return FormatArrowStream
	}
	return FormatCSV
}

// CSVOptions configure NewCSV.
type CSVOptions struct {
	// Encoding is the text's encoding: "" (UTF-8, or UTF-16 with its
	// byte-order mark), EncodingWindows1258 (Excel's "CSV" on a
	// Vietnamese Windows), EncodingTCVN3 or EncodingVNI (the legacy
	// Vietnamese fonts' encodings), read as UTF-8 in normal form C.
	Encoding string
	// Comma is the field delimiter; 0 sniffs ',' or ';' from the header line.
	Comma rune
	// Header, when non-nil, names the columns of a headerless file; the
	// first line is then a data row.
	Header []string
	// MaxLineBytes caps a record (0: DefaultMaxLineBytes). A longer line
	// is a row error wrapping ErrLineTooLong and reading goes on at the
	// next line end; a line with no line end within SkipFactor times the
	// cap stops the stream (Err wraps ErrTooLarge). A quoted field still
	// open after the cap is a row error of the line it opened on, and the
	// lines after that one are read again.
	MaxLineBytes int
}

// CSV reads a delimited text table (RFC 4180, as encoding/csv reads it
// with FieldsPerRecord -1: quoted fields may hold delimiters, doubled
// quotes and line ends; a bare quote in an unquoted field or a stray one
// after a quoted field is a row error; empty lines are skipped). It
// strips a UTF-8 byte-order mark, sniffs ',' versus ';' from the header
// line, accepts CRLF line ends, and reports a malformed or overlong line
// as a row error rather than stopping. A quoted field that is not closed
// (by the end of the input or within MaxLineBytes), or that closes into a
// malformed record or one of another field count than the header's, is a
// row error of its first line alone: the lines after it are read again
// as rows of their own. Memory is bounded by MaxLineBytes whatever the
// input: an overlong line is skipped, never held.
type CSV struct {
	br      *bufio.Reader
	comma   byte
	maxLine int
	header  []string
	rec     []string // the current record: fields[:n], or nil
	fields  []string
	rowErr  error
	line    int64 // first line of the current record
	lines   int64 // physical lines consumed
	err     error
	done    bool
	eof     bool
	blank   int64  // empty lines skipped (BlankLines)
	lineBuf []byte // a line longer than br's buffer
	recBuf  []byte // the current record's unquoted bytes
	ends    []int  // end of each field in recBuf
	// The lines a record read past its first while a quoted field was
	// open (span), kept until the record is known good: a record whose
	// quoted field does not close (end of input, or the line cap), or
	// that closes into a malformed record or one of another field count
	// than the header's, quarantines its first line alone and its other
	// lines are read again as lines of their own (pend), so that one stray
	// quote costs one row, not every row after it.
	span, pend lines
	first      []byte // the start of a failed record's first line (its RowTextError's Text)
	firstKept  bool   // first holds the current record's line
}

// lines is a queue of physical lines in one buffer: line i is
// buf[end[i-1]:end[i]] (from 0), or an overlong line that was skipped
// when long[i].
type lines struct {
	buf  []byte
	end  []int
	long []bool
	next int // the first line not yet read again
}

func (l *lines) reset() { l.buf, l.end, l.long, l.next = l.buf[:0], l.end[:0], l.long[:0], 0 }

func (l *lines) add(b []byte, long bool) {
	l.buf = append(l.buf, b...)
	l.end = append(l.end, len(l.buf))
	l.long = append(l.long, long)
}

func (l *lines) len() int { return len(l.end) - l.next }

// pop returns the next line (valid until the queue changes) and whether
// it was an overlong line.
func (l *lines) pop() ([]byte, bool) {
	i := l.next
	l.next++
	start := 0
	if i > 0 {
		start = l.end[i-1]
	}
	return l.buf[start:l.end[i]], l.long[i]
}

// RowTextError is a row error with the start of the row's text (at most
// rawTextBytes), so that what could not be read is kept in the
// quarantine.
type RowTextError struct {
	Err  error
	Text string
}

func (e *RowTextError) Error() string { return e.Err.Error() }
func (e *RowTextError) Unwrap() error { return e.Err }

// rawTextBytes is how much of a malformed line a row error keeps.
const rawTextBytes = 200

var utf8BOM = []byte{0xef, 0xbb, 0xbf}

// ErrEmptyInput is returned for a table with no header line.
var ErrEmptyInput = errors.New("empty input: no header line")

// ErrLineTooLong is the row error of a CSV record over MaxLineBytes.
var ErrLineTooLong = errors.New("line too long")

// NotTableError is returned for input whose first line is not text: not
// a CSV, Parquet or Arrow file.
type NotTableError struct {
	Head []byte // the first bytes (at most 16)
	// Member is the name of a ZIP archive's first file, when the archive
	// begins with one (what the archive holds: a workbook, or tables).
	Member string
}

func (e *NotTableError) Error() string {
	var sb strings.Builder
	for i, b := range e.Head {
		if i > 0 {
			sb.WriteByte(' ')
		}
		fmt.Fprintf(&sb, "%02x", b)
	}
	hint := ""
	switch {
	case bytes.HasPrefix(e.Head, []byte("PK\x03\x04")):
		m := e.Member
		switch {
		case m == "[Content_Types].xml" || strings.HasPrefix(m, "xl/") || strings.HasPrefix(m, "_rels/") || strings.HasPrefix(m, "docProps/"):
			hint = "; an Excel workbook (.xlsx): save the sheet as CSV UTF-8 (comma delimited)"
		case m == "mimetype":
			hint = "; an OpenDocument spreadsheet (.ods): save the sheet as CSV, UTF-8"
		case m != "":
			hint = fmt.Sprintf("; a ZIP archive, its first file %q: unzip it and give the files, or compress each with gzip (a .gz file is read as it is)", m)
		default:
			hint = "; a ZIP archive (an Excel .xlsx?): unzip it, or save the sheet as CSV; a .gz file is read as it is"
		}
	case bytes.HasPrefix(e.Head, []byte{0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1}):
		hint = "; an Excel 97–2003 workbook (.xls) or another Office file: save the sheet as CSV UTF-8 (comma delimited)"
	case utf16NoBOM(e.Head):
		hint = "; UTF-16 text without a byte-order mark (UTF-16 is read with one): save it as UTF-8"
	}
	return fmt.Sprintf("not a CSV/Parquet/Arrow file (starts with bytes %s …)%s", sb.String(), hint)
}

// zipMember returns the name of the first file of a ZIP archive that
// head begins with (its local file header: the name's length at byte 26,
// the name from byte 30), or "".
func zipMember(head []byte) string {
	if !bytes.HasPrefix(head, []byte("PK\x03\x04")) || len(head) < 30 {
		return ""
	}
	n := int(head[26]) | int(head[27])<<8
	if n == 0 || 30+n > len(head) || !utf8.Valid(head[30:30+n]) {
		return ""
	}
	return truncate(string(head[30:30+n]), 120)
}

// utf16NoBOM reports whether head looks like UTF-16 text without a
// byte-order mark: its first eight bytes ASCII characters (tab and line
// ends included) with a zero byte beside each (little- or big-endian).
func utf16NoBOM(head []byte) bool {
	if len(head) < 8 {
		return false
	}
	text := func(c byte) bool { return c >= 0x20 && c < 0x7f || c == '\t' || c == '\r' || c == '\n' }
	le, be := true, true
	for i := 0; i < 8; i += 2 {
		a, b := head[i], head[i+1]
		le = le && text(a) && b == 0
		be = be && text(b) && a == 0
	}
	return le || be
}

// checkText refuses a first line that is not text: a NUL or another
// control byte than tab, CR or FF. A header that is text but not UTF-8
// is refused by NewCSV (ErrHeaderNotUTF8); invalid UTF-8 further on is a
// row problem (invalid_utf8), not a reason to refuse the file.
func checkText(br *bufio.Reader) error {
	head, _ := br.Peek(4096)
	first := head
	if i := bytes.IndexByte(first, '\n'); i >= 0 {
		first = first[:i]
	}
	for _, c := range first {
		if c < 0x20 && c != '\t' && c != '\r' && c != '\f' || c == 0x7f {
			return &NotTableError{Head: append([]byte(nil), head[:min(len(head), 16)]...), Member: zipMember(head)}
		}
	}
	return nil
}

// NewCSV starts reading a CSV table from r.
func NewCSV(r io.Reader, opt CSVOptions) (*CSV, error) {
	if opt.MaxLineBytes < 0 {
		return nil, fmt.Errorf("csv: MaxLineBytes %d must not be negative: %w", opt.MaxLineBytes, engine.ErrInvalidConfig)
	}
	br, ok := r.(*bufio.Reader)
	if !ok || br.Size() < 4096 {
		br = bufio.NewReaderSize(r, 1<<16)
	}
	legacy := false
	if opt.Encoding != "" && opt.Encoding != EncodingUTF8 {
		// Windows-1258, TCVN3 or VNI (vnlegacy.go), read as UTF-8 NFC.
		dec, ok := legacyDecoder(opt.Encoding)
		if !ok {
			return nil, fmt.Errorf("csv: encoding %q: want %s, %s, %s or %s: %w", opt.Encoding, EncodingUTF8, EncodingWindows1258, EncodingTCVN3, EncodingVNI, engine.ErrInvalidConfig)
		}
		br = bufio.NewReaderSize(transform.NewReader(br, dec), 1<<16)
		legacy = true
	}
	if b, _ := br.Peek(2); !legacy && (bytes.Equal(b, []byte{0xff, 0xfe}) || bytes.Equal(b, []byte{0xfe, 0xff})) {
		// UTF-16 with its byte-order mark, as Excel saves "Unicode text"
		// (the way to keep Vietnamese letters from its Windows-1258
		// "CSV"): read as the same text in UTF-8, the mark telling the
		// byte order. A sequence that is not UTF-16 (a lone surrogate)
		// reads as U+FFFD.
		dec := unicode.UTF16(unicode.LittleEndian, unicode.ExpectBOM).NewDecoder()
		br = bufio.NewReaderSize(transform.NewReader(br, dec), 1<<16)
	}
	if b, _ := br.Peek(3); bytes.Equal(b, utf8BOM) {
		_, _ = br.Discard(3)
	}
	if err := checkText(br); err != nil {
		return nil, err
	}
	if head, _ := br.Peek(br.Size()); bytes.IndexByte(head, '\n') < 0 {
		if i := bytes.IndexByte(head, '\r'); i >= 0 && i+1 < len(head) {
			return nil, fmt.Errorf("csv: its lines end in CR alone (classic Mac OS): save it with LF or CRLF line ends (\"CSV UTF-8\" in Excel): %w", engine.ErrUnsupportedFormat)
		}
	}
	comma := opt.Comma
	// Excel's first line "sep=;" names the delimiter of the lines after it.
	skipped := int64(0)
	if sep, n := excelSep(br); n > 0 {
		_, _ = br.Discard(n)
		skipped = 1
		if comma == 0 {
			comma = sep
		}
	}
	if comma == 0 {
		comma = SniffDelimiter(br)
	}
	if comma <= 0 || comma >= utf8.RuneSelf || comma == '"' || comma == '\r' || comma == '\n' {
		return nil, fmt.Errorf("csv: delimiter %q: want a single-byte character other than a quote or line end: %w", comma, engine.ErrInvalidConfig)
	}
	c := &CSV{br: br, comma: byte(comma), maxLine: opt.MaxLineBytes, lines: skipped}
	if c.maxLine == 0 {
		c.maxLine = DefaultMaxLineBytes
	}
	if opt.Header != nil {
		c.header = append([]string(nil), opt.Header...)
		return c, nil
	}
	if !c.Next() {
		if c.err != nil {
			return nil, fmt.Errorf("header line: %w", c.err)
		}
		return nil, ErrEmptyInput
	}
	if c.rowErr != nil {
		if errors.Is(c.rowErr, ErrLineTooLong) {
			// A long data row is skipped; without its header, the file
			// cannot be read at all.
			return nil, &HeaderTooLongError{Line: c.line, MaxLineBytes: c.maxLine}
		}
		return nil, fmt.Errorf("header line %d: %w", c.line, c.rowErr)
	}
	c.header = make([]string, len(c.rec))
	for i, s := range c.rec {
		if !utf8.ValidString(s) {
			// Names in a legacy code page match no column and read as
			// mojibake: say what is wrong instead.
			return nil, headerNotUTF8(c.rec, i)
		}
		c.header[i] = strings.TrimSpace(s)
	}
	return c, nil
}

// ErrHeaderNotUTF8 refuses a CSV file whose header line is not UTF-8
// (the contract's encoding): its column names would match none of the
// contract's or a mapping's. A field further on that is not UTF-8 is a
// row problem (invalid_utf8), not a reason to refuse the file.
var ErrHeaderNotUTF8 = errors.New("header is not UTF-8 (a Windows-1258 or other legacy encoding?): re-save the file as UTF-8, or, for Excel's CSV of a Vietnamese Windows, give \"encoding\": \"windows-1258\" in the mapping (lomsong validate --suggest-mapping proposes it)")

// The text encodings a CSV file may be read in (CSVOptions.Encoding, a
// mapping's "encoding").
const (
	EncodingUTF8        = "utf-8"
	EncodingWindows1258 = "windows-1258"
)

// HeaderTooLongError refuses a CSV file whose header line is longer than
// the line cap: a data row that long is skipped, but without its header
// no row of the file can be read. It wraps ErrLineTooLong.
type HeaderTooLongError struct {
	Line         int64 // the header's line (2 after Excel's "sep=" line)
	MaxLineBytes int
}

func (e *HeaderTooLongError) Error() string {
	return fmt.Sprintf("the file is refused: its header (line %d) is longer than --max-line-bytes %d; raise --max-line-bytes if the header is genuine", e.Line, e.MaxLineBytes)
}

func (e *HeaderTooLongError) Unwrap() error { return ErrLineTooLong }

// excelSep reads Excel's delimiter line at the start of br ("sep=;", in
// any case, quoted or not, ending in LF or CRLF): its delimiter and its
// length with the line end, or 0, 0.
func excelSep(br *bufio.Reader) (rune, int) {
	head, _ := br.Peek(16)
	i := bytes.IndexByte(head, '\n')
	if i < 0 {
		return 0, 0
	}
	line := strings.Trim(strings.TrimSuffix(string(head[:i]), "\r"), `"`)
	if len(line) != 5 || !strings.EqualFold(line[:4], "sep=") {
		return 0, 0
	}
	return rune(line[4]), i + 1
}

// SniffDelimiter counts commas, semicolons and tabs outside quotes on the
// first line and picks the most frequent (comma on a tie; tab-separated
// text is what G-NetTrack and other drive-test tools export).
func SniffDelimiter(br *bufio.Reader) rune {
	buf, _ := br.Peek(br.Size())
	if i := bytes.IndexByte(buf, '\n'); i >= 0 {
		buf = buf[:i]
	}
	inQ := false
	commas, semis, tabs := 0, 0, 0
	for _, b := range buf {
		switch b {
		case '"':
			inQ = !inQ
		case ',':
			if !inQ {
				commas++
			}
		case ';':
			if !inQ {
				semis++
			}
		case '\t':
			if !inQ {
				tabs++
			}
		}
	}
	switch {
	case tabs > commas && tabs > semis:
		return '\t'
	case semis > commas:
		return ';'
	}
	return ','
}

// Header implements Records.
func (c *CSV) Header() []string { return c.header }

// Delimiter returns the field delimiter the file is read with.
func (c *CSV) Delimiter() byte { return c.comma }

// readLine returns the next physical line with its line end ("\r\n"
// normalised to "\n"), valid until the next call; nil at the end of the
// input. A line over the cap is skipped up to its line end and reported as
// errTooLong; with no line end within SkipFactor times the cap it sets
// c.err.
func (c *CSV) readLine() ([]byte, error) {
	if c.pend.len() > 0 {
		c.lines++
		line, long := c.pend.pop()
		if long {
			c.first = c.first[:0] // skipped while a quoted field was open: not kept
			return nil, errTooLong
		}
		return line, nil
	}
	if c.eof {
		return nil, io.EOF
	}
	line, err := c.br.ReadSlice('\n')
	if err == bufio.ErrBufferFull {
		c.lineBuf = append(c.lineBuf[:0], line...)
		for err == bufio.ErrBufferFull {
			line, err = c.br.ReadSlice('\n')
			if len(c.lineBuf)+len(line) > c.maxLine+2 { // +2: the line end
				c.lines++
				c.keepStart(append(c.lineBuf, line...))
				return nil, c.skipLine(int64(len(c.lineBuf)+len(line)), err)
			}
			c.lineBuf = append(c.lineBuf, line...)
		}
		line = c.lineBuf
	}
	switch {
	case err == io.EOF:
		c.eof = true
		if len(line) == 0 {
			return nil, io.EOF
		}
		if line[len(line)-1] == '\r' {
			line = line[:len(line)-1]
		}
	case err != nil:
		c.eof = true
		return nil, err
	}
	c.lines++
	if n := len(line); n >= 2 && line[n-2] == '\r' && line[n-1] == '\n' {
		line[n-2] = '\n'
		line = line[:n-1]
	}
	if len(line)-lengthNL(line) > c.maxLine {
		if hard := int64(c.maxLine) * SkipFactor; int64(len(line)) > hard {
			// The reader's buffer held the whole line: the same limit as
			// for a line longer than the buffer (skipLine), whatever the
			// buffer's size.
			c.eof = true
			return nil, c.noLineEnd(hard)
		}
		c.keepStart(line)
		return nil, errTooLong
	}
	return line, nil
}

// keepStart keeps the start of an overlong line (rawTextBytes, cut at a
// character's start) for its row error, so that the quarantine shows
// which row it was.
func (c *CSV) keepStart(line []byte) {
	n := min(len(line), rawTextBytes)
	for n > 0 && n < len(line) && !utf8.RuneStart(line[n]) {
		n--
	}
	c.first = append(c.first[:0], line[:n]...)
}

var errTooLong = errors.New("too long")

// noLineEnd is the error that stops a file with no line end within hard
// bytes (SkipFactor times the line cap).
func (c *CSV) noLineEnd(hard int64) error {
	return fmt.Errorf("no line end within %d bytes (%d times the line cap of %d bytes; raise --max-line-bytes if the file is genuine): %w",
		hard, SkipFactor, c.maxLine, ErrTooLarge)
}

// errUnclosed is the row error of a quoted field still open at the end of
// the input.
var errUnclosed = fmt.Errorf("a quoted field opened on this line is not closed before the end of the file: %w", csv.ErrQuote)

// skipLine discards the rest of an overlong line; n bytes of it are read
// and err is the last read's error.
func (c *CSV) skipLine(n int64, err error) error {
	hard := int64(c.maxLine) * SkipFactor
	for {
		if n > hard {
			c.eof = true
			return c.noLineEnd(hard)
		}
		if err != bufio.ErrBufferFull {
			break
		}
		var line []byte
		line, err = c.br.ReadSlice('\n')
		n += int64(len(line))
	}
	switch {
	case err == io.EOF:
		c.eof = true
	case err != nil:
		c.eof = true
		return err
	}
	return errTooLong
}

func lengthNL(b []byte) int {
	if len(b) > 0 && b[len(b)-1] == '\n' {
		return 1
	}
	return 0
}

// Next implements Records.
func (c *CSV) Next() bool {
	if c.done {
		return false
	}
	c.rowErr, c.rec = nil, nil
	var line []byte
	var err error
	for {
		line, err = c.readLine()
		if err == nil && len(line) == lengthNL(line) {
			c.blank++
			continue // empty line
		}
		break
	}
	c.line = c.lines
	switch {
	case err == io.EOF:
		c.done = true
		return false
	case err == errTooLong:
		c.rowErr, c.rec = &RowTextError{Err: c.tooLong(), Text: string(c.first)}, nil
		return true
	case err != nil:
		c.err, c.done = err, true
		return false
	}
	if rerr := c.parse(line); rerr != nil {
		if c.err != nil {
			c.done = true
			return false
		}
		c.rowErr, c.rec = &RowTextError{Err: rerr, Text: string(c.first)}, nil
		return true
	}
	s := string(c.recBuf)
	if cap(c.fields) < len(c.ends) {
		c.fields = make([]string, len(c.ends))
	}
	c.rec = c.fields[:len(c.ends)]
	prev := 0
	for i, e := range c.ends {
		c.rec[i] = s[prev:e]
		prev = e
	}
	return true
}

func (c *CSV) tooLong() error {
	return fmt.Errorf("%w: longer than %d bytes (the line cap); skipped to the next line end", ErrLineTooLong, c.maxLine)
}

// parse splits one record starting with line into c.recBuf and c.ends,
// reading further lines while a quoted field is open.
func (c *CSV) parse(line []byte) error {
	c.span.reset()
	c.firstKept = false
	err := c.parseRecord(line)
	if err != nil && !c.firstKept {
		c.keepFirst(line) // still valid: no line was read past it
	}
	if c.span.len() == 0 {
		return err
	}
	// A record over several lines.
	switch {
	case err == nil && c.header != nil && len(c.ends) != len(c.header):
		err = fmt.Errorf("a quoted field opened on this line runs over %d more lines into a record of %d fields (the header has %d): %w",
			c.span.len(), len(c.ends), len(c.header), csv.ErrQuote)
	case err == csv.ErrQuote || err == csv.ErrBareQuote:
		err = fmt.Errorf("a quoted field opened on this line runs over %d more lines into a malformed record: %w", c.span.len(), err)
	}
	if err == nil || c.err != nil {
		return err
	}
	// Read the other lines again, each a row of its own.
	c.lines -= int64(c.span.len())
	for c.pend.len() > 0 {
		b, long := c.pend.pop()
		c.span.add(b, long)
	}
	c.span, c.pend = c.pend, c.span
	c.span.reset()
	return fmt.Errorf("%w; only this line is quarantined, the lines after it are read again", err)
}

// keepFirst keeps the start of a record's first line for its row error.
func (c *CSV) keepFirst(line []byte) {
	c.keepStart(line[:len(line)-lengthNL(line)])
	c.firstKept = true
}

// parseRecord splits the record starting with line into c.recBuf and
// c.ends, reading further lines into c.span while a quoted field is open.
func (c *CSV) parseRecord(line []byte) error {
	c.recBuf, c.ends = c.recBuf[:0], c.ends[:0]
	size := len(line)
	start := line
	for {
		if len(line) == 0 || line[0] != '"' {
			i := bytes.IndexByte(line, c.comma)
			field := line
			if i >= 0 {
				field = field[:i]
			} else {
				field = field[:len(field)-lengthNL(field)]
			}
			if bytes.IndexByte(field, '"') >= 0 {
				return csv.ErrBareQuote
			}
			c.recBuf = append(c.recBuf, field...)
			c.ends = append(c.ends, len(c.recBuf))
			if i < 0 {
				return nil
			}
			line = line[i+1:]
			continue
		}
		line = line[1:] // quoted field
		for {
			if i := bytes.IndexByte(line, '"'); i >= 0 {
				c.recBuf = append(c.recBuf, line[:i]...)
				line = line[i+1:]
				switch {
				case len(line) > 0 && line[0] == '"':
					c.recBuf = append(c.recBuf, '"')
					line = line[1:]
					continue
				case len(line) > 0 && line[0] == c.comma:
					line = line[1:]
					c.ends = append(c.ends, len(c.recBuf))
				case len(line) == lengthNL(line):
					c.ends = append(c.ends, len(c.recBuf))
					return nil
				default:
					return csv.ErrQuote
				}
				break
			}
			if len(line) == 0 {
				return errUnclosed // end of input inside quotes
			}
			c.recBuf = append(c.recBuf, line...)
			if !c.firstKept {
				c.keepFirst(start) // before the read that may reuse its buffer
			}
			next, err := c.readLine()
			switch {
			case err == io.EOF:
				return errUnclosed
			case err == errTooLong:
				c.span.add(nil, true)
				return fmt.Errorf("a quoted field opened on this line is not closed before an overlong line: %w", csv.ErrQuote)
			case err != nil:
				c.err = err
				return err
			}
			c.span.add(next, false)
			if size += len(next); size > c.maxLine+2 {
				return fmt.Errorf("a quoted field opened on this line is not closed within %d bytes (the line cap): %w", c.maxLine, csv.ErrQuote)
			}
			line = next
		}
	}
}

// Record implements Records.
func (c *CSV) Record() []string { return c.rec }

// RowErr implements Records.
func (c *CSV) RowErr() error { return c.rowErr }

// Line implements Records.
func (c *CSV) Line() int64 { return c.line }

// Err implements Records.
func (c *CSV) Err() error { return c.err }
