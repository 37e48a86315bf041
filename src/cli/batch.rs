//! `verdict eval --batch`: NDJSON in, one JSON decision per line out, in the input's
//! order, on one or more threads; the exit code is that of the strictest decision, or of
//! the worst error when a line could not be decided.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, BufWriter, Read, Write};
use std::sync::Mutex;
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};

use serde_json::json;

use super::args::EvalArgs;
use super::eval::Recorder;
use super::output;
use crate::diagnostic::Diagnostic;
use crate::error::{Error, ErrorClass, Result};
use crate::exit::Exit;
use crate::input::{self, InputSource};
use crate::limits::Limits;
use crate::policy_set::PolicySet;
use crate::projection::Projection;
use crate::render;
use crate::render::json::ReportPrefixes;
use crate::verdict::Verdict;

/// One input line, numbered from 1.
struct Line {
    number: usize,
    bytes: std::result::Result<Vec<u8>, Error>,
}

/// What deciding one line gave, besides the line written for it.
struct Decided {
    verdict: Option<Verdict>,
    error: Option<Error>,
}

pub fn run(
    args: &EvalArgs,
    mut set: PolicySet,
    limits: &Limits,
    log: Option<&Recorder>,
) -> Result<Exit> {
    let compiled = args.rego_compiled.then(|| set.compile_rego());
    let source = InputSource::from_flag(args.input.as_deref());
    let name = source.display_name();
    let reader: Box<dyn Read + Send> = match &source {
        InputSource::Stdin => Box::new(std::io::stdin()),
        InputSource::File(path) => {
            Box::new(std::fs::File::open(path).map_err(|error| Error::io(&name, &error))?)
        }
    };
    // A large buffer holds many lines, so the chunks workers take are full ones.
    let reader = BufReader::with_capacity(1 << 18, reader);
    let lines = Lines {
        reader,
        limit: limits.input_bytes,
        name: name.clone(),
        number: 0,
    };
    // Each line is read only as far as the policies read it (a logged one whole).
    let projection = set.input_projection();
    let context = Context {
        args,
        name,
        log,
        projection,
        print_input: super::eval::print_input_requested(args.print_input),
    };
    let summary = if args.jobs <= 1 {
        decide_in_order(lines, set, &context)?
    } else {
        decide_in_parallel(lines, set, &context)?
    };
    if let Some(mode) = compiled {
        output::print_stderr(&format!(
            "verdict: Rego compiled mode decided {} of {} packages; {} went back to the interpreter after a difference\n",
            mode.compiled().saturating_sub(mode.sent_back()),
            mode.packages(),
            mode.sent_back(),
        ));
    }
    summary.exit(args.fail_on_warn, &context.name)
}

struct Context<'a> {
    args: &'a EvalArgs,
    name: String,
    log: Option<&'a Recorder>,
    projection: Projection,
    /// Each line's document goes to stderr, one line of JSON, before it is decided.
    print_input: bool,
}

fn decide_in_order(lines: Lines, mut set: PolicySet, context: &Context<'_>) -> Result<Summary> {
    let mut out = BufWriter::new(std::io::stdout().lock());
    let mut summary = Summary::default();
    let mut text = String::new();
    let mut reports = ReportPrefixes::default();
    for line in lines {
        text.clear();
        summary.count(decide_line(
            &mut set,
            line,
            context,
            &mut reports,
            &mut text,
        ));
        if !summary.emit(&mut out, text.as_bytes()) {
            return Ok(summary);
        }
    }
    summary.flush(&mut out);
    Ok(summary)
}

/// The most lines a worker takes at once. Handing lines over one by one costs more than
/// deciding them; a chunk of lines already read costs it once. Lines are not held back to
/// fill a chunk: a chunk holds what has arrived, so a slow stream is decided line by line
/// as it comes.
const CHUNK_LINES: usize = 128;

/// Chunks in flight at once for each worker, from being read until written: one being
/// decided and a few decided ones waiting for the writer. However unevenly the workers go
/// (one held up by a slow decision while the others go on), a batch holds no more lines
/// than these chunks, whatever the length of the stream.
const CHUNKS_PER_WORKER: usize = 3;

/// The decisions of one chunk: the lines written for them, one after another in the
/// chunk's order, and what each gave.
struct DecidedChunk {
    index: usize,
    text: String,
    decided: Vec<Decided>,
}

/// The input the workers share: each takes the next chunk of lines under the lock.
struct Feed {
    lines: Lines,
    next: usize,
    ended: bool,
}

impl Feed {
    /// The next chunk of lines and its index; `None` once the input has ended.
    fn take(&mut self) -> Option<(usize, Vec<Line>)> {
        if self.ended {
            return None;
        }
        let mut chunk = Vec::with_capacity(CHUNK_LINES);
        while chunk.len() < CHUNK_LINES {
            match self.lines.next() {
                Some(line) => chunk.push(line),
                None => {
                    self.ended = true;
                    break;
                }
            }
            if !self.lines.has_buffered_line() {
                break;
            }
        }
        if chunk.is_empty() {
            return None;
        }
        let index = self.next;
        self.next += 1;
        Some((index, chunk))
    }
}

/// Workers read chunks of lines themselves, decide them, and hand them to the writer on
/// this thread, which writes them in input order. A worker reads a chunk only with one
/// of the places the writer hands back as it writes, so memory stays flat.
fn decide_in_parallel(lines: Lines, set: PolicySet, context: &Context<'_>) -> Result<Summary> {
    let jobs = usize::from(context.args.jobs);
    let in_flight = jobs * CHUNKS_PER_WORKER;
    let (place_sender, place_receiver) = sync_channel::<()>(in_flight);
    for _ in 0..in_flight {
        // Cannot fail or wait: the receiver is here and the channel has room for them all.
        let _ = place_sender.try_send(());
    }
    let places = Mutex::new(place_receiver);
    let feed = Mutex::new(Feed {
        lines,
        next: 0,
        ended: false,
    });
    let (decided_sender, decided_receiver) = sync_channel::<DecidedChunk>(in_flight);
    std::thread::scope(|scope| {
        for _ in 0..jobs {
            let mut worker_set = set.clone();
            let sender = decided_sender.clone();
            let (feed, places) = (&feed, &places);
            scope.spawn(move || work(&mut worker_set, feed, places, &sender, context));
        }
        drop(decided_sender);
        Ok(write_in_order(decided_receiver, place_sender))
    })
}

fn work(
    set: &mut PolicySet,
    feed: &Mutex<Feed>,
    places: &Mutex<Receiver<()>>,
    sender: &SyncSender<DecidedChunk>,
    context: &Context<'_>,
) {
    let mut reports = ReportPrefixes::default();
    loop {
        let place = match places.lock() {
            Ok(places) => places.recv(),
            Err(_) => return,
        };
        let chunk = match (place, feed.lock()) {
            (Ok(()), Ok(mut feed)) => feed.take(),
            _ => return,
        };
        let Some((index, lines)) = chunk else {
            return;
        };
        let mut text = String::new();
        let mut decided = Vec::with_capacity(lines.len());
        for line in lines {
            let (number, start) = (line.number, text.len());
            let deciding = std::panic::AssertUnwindSafe(|| {
                decide_line(set, line, context, &mut reports, &mut text)
            });
            decided.push(match std::panic::catch_unwind(deciding) {
                Ok(decided) => decided,
                Err(_) => {
                    text.truncate(start);
                    failed(number, internal_error(number), &mut text)
                }
            });
        }
        let chunk = DecidedChunk {
            index,
            text,
            decided,
        };
        if sender.send(chunk).is_err() {
            return;
        }
    }
}

fn internal_error(number: usize) -> Error {
    Error::evaluation(Diagnostic::error(format!(
        "internal error while deciding line {number}"
    )))
}

/// Writes decisions in input order as they arrive, handing a place back to the workers
/// for each chunk written. Once nothing more can be written it stops, and with it the
/// workers: they find no place to take and nowhere to send.
fn write_in_order(receiver: Receiver<DecidedChunk>, places: SyncSender<()>) -> Summary {
    let mut out = BufWriter::new(std::io::stdout().lock());
    let mut summary = Summary::default();
    let mut waiting: BTreeMap<usize, DecidedChunk> = BTreeMap::new();
    let mut next = 0;
    for chunk in receiver {
        waiting.insert(chunk.index, chunk);
        while let Some(ready) = waiting.remove(&next) {
            if !summary.write(ready, &mut out) {
                return summary;
            }
            next += 1;
            // Never waits: a place comes back only for one taken.
            let _ = places.try_send(());
        }
    }
    // Chunks are numbered without gaps, so nothing is left; if something were, it still
    // counts toward the exit code.
    for chunk in std::mem::take(&mut waiting).into_values() {
        if !summary.write(chunk, &mut out) {
            return summary;
        }
    }
    summary.flush(&mut out);
    summary
}

/// `line N of NAME`, as errors name a line; written without the formatting machinery,
/// which cost a line's decision more than a hundredth of its instructions.
fn line_name(number: usize, of: &str) -> String {
    let mut name = String::with_capacity(of.len() + 30);
    name.push_str("line ");
    render::json::write_decimal(&mut name, number as u64);
    name.push_str(" of ");
    name.push_str(of);
    name
}

/// Decides one line and appends the line written for it, newline included, to `text`.
fn decide_line(
    set: &mut PolicySet,
    line: Line,
    context: &Context<'_>,
    reports: &mut ReportPrefixes,
    text: &mut String,
) -> Decided {
    let name = line_name(line.number, &context.name);
    match decide_bytes(set, line.bytes, &name, context) {
        Ok(decision) => {
            render::json::write_decision_line(text, &decision, reports);
            text.push('\n');
            Decided {
                verdict: Some(decision.verdict),
                error: None,
            }
        }
        Err(error) => failed(line.number, error, text),
    }
}

fn decide_bytes(
    set: &mut PolicySet,
    bytes: std::result::Result<Vec<u8>, Error>,
    name: &str,
    context: &Context<'_>,
) -> Result<crate::Decision> {
    let bytes = bytes?;
    let line = bytes.strip_suffix(b"\n").unwrap_or(&bytes);
    let line = line.strip_suffix(b"\r").unwrap_or(line);
    let text = input::decode(name, line)?;
    if context.log.is_none() && !context.print_input {
        let args = context.args;
        return set.decide_text(name, text, &context.projection, args.now, args.default);
    }
    // A logged or printed decision reads the whole document.
    let document = input::parse_document(name, text)?;
    if context.print_input {
        output::print_stderr(&format!("{document}\n"));
    }
    let now = input::resolve_now(context.args.now, &document, name)?;
    let decision = set.decide(&document, now, context.args.default)?;
    if let Some(log) = context.log {
        log.record(&decision, &document, line)?;
    }
    Ok(decision)
}

fn failed(number: usize, error: Error, text: &mut String) -> Decided {
    let mut record = render::diagnostics::to_json(&error);
    if let Some(fields) = record.as_object_mut() {
        fields.insert("line".to_string(), json!(number));
        fields.insert("verdict".to_string(), serde_json::Value::Null);
    }
    text.push_str(&record.to_string());
    text.push('\n');
    Decided {
        verdict: None,
        error: Some(error),
    }
}

/// The strictest verdict and the errors seen so far.
#[derive(Default)]
struct Summary {
    decided: usize,
    strictest: Option<Verdict>,
    errors: Vec<Error>,
}

impl Summary {
    /// Counts one line's decision, reporting its error on stderr.
    fn count(&mut self, decided: Decided) {
        self.decided += 1;
        self.strictest = self.strictest.max(decided.verdict);
        if let Some(error) = decided.error {
            output::print_stderr(&render::diagnostics::to_text(&error.diagnostics, false));
            self.errors.push(error);
        }
    }

    /// Counts a chunk's decisions and writes their lines; false once nothing more can be
    /// written (see [`Summary::emit`]).
    fn write(&mut self, chunk: DecidedChunk, out: &mut impl Write) -> bool {
        chunk
            .decided
            .into_iter()
            .for_each(|decided| self.count(decided));
        self.emit(out, chunk.text.as_bytes())
    }

    /// Writes decision lines; false once nothing more can be written: the reader has gone
    /// away, which ends the output as it does for a single decision, or the write failed
    /// (a full disk, say), which is an error of the run: a gate whose decisions were not
    /// all written must not pass.
    fn emit(&mut self, out: &mut impl Write, text: &[u8]) -> bool {
        match out.write_all(text) {
            Ok(()) => true,
            Err(error) => {
                self.output_failed(&error);
                false
            }
        }
    }

    /// Writes out what is buffered, as [`Summary::emit`] writes.
    fn flush(&mut self, out: &mut impl Write) {
        if let Err(error) = out.flush() {
            self.output_failed(&error);
        }
    }

    fn output_failed(&mut self, error: &std::io::Error) {
        if let Some(error) = output::stdout_failure(error) {
            output::print_stderr(&render::diagnostics::to_text(&error.diagnostics, false));
            self.errors.push(error);
        }
    }

    fn exit(self, fail_on_warn: bool, name: &str) -> Result<Exit> {
        if let Some(error) = Error::merge(self.errors) {
            return Ok(Exit::Error(error.class));
        }
        match self.strictest {
            Some(verdict) => Ok(Exit::for_verdict(verdict, fail_on_warn)),
            None if self.decided == 0 => Err(Error::invalid(
                Diagnostic::error(format!(
                    "`{name}` holds no input documents: expected one JSON object per line"
                ))
                .in_file(name),
            )),
            None => Ok(Exit::Error(ErrorClass::Evaluation)),
        }
    }
}

/// Non-blank lines of the input, each within the size limit.
struct Lines {
    reader: BufReader<Box<dyn Read + Send>>,
    limit: u64,
    name: String,
    number: usize,
}

impl Iterator for Lines {
    type Item = Line;

    fn next(&mut self) -> Option<Line> {
        loop {
            self.number += 1;
            let mut bytes = Vec::new();
            let read = (&mut self.reader)
                .take(self.limit.saturating_add(1))
                .read_until(b'\n', &mut bytes);
            match read {
                Ok(0) => return None,
                Ok(_) => {}
                Err(error) => {
                    return Some(Line {
                        number: self.number,
                        bytes: Err(Error::io(&self.name, &error)),
                    });
                }
            }
            if bytes.len() as u64 > self.limit && bytes.last() != Some(&b'\n') {
                self.skip_rest_of_line();
                let name = format!("line {} of {}", self.number, self.name);
                return Some(Line {
                    number: self.number,
                    bytes: Err(input::too_large(&name, self.limit)),
                });
            }
            if bytes.iter().all(u8::is_ascii_whitespace) {
                continue;
            }
            return Some(Line {
                number: self.number,
                bytes: Ok(bytes),
            });
        }
    }
}

impl Lines {
    /// Whether a whole line has been read already, so that the next one comes without
    /// waiting for the input.
    fn has_buffered_line(&self) -> bool {
        self.reader.buffer().contains(&b'\n')
    }

    fn skip_rest_of_line(&mut self) {
        let mut sink = Vec::new();
        loop {
            sink.clear();
            match (&mut self.reader)
                .take(1 << 20)
                .read_until(b'\n', &mut sink)
            {
                Ok(0) | Err(_) => return,
                Ok(_) if sink.last() == Some(&b'\n') => return,
                Ok(_) => {}
            }
        }
    }
}
