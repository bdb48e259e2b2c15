// The Python snapshot without the bytes the WebAssembly file already carries.
//
// A Pyodide memory snapshot is a header and then the whole WebAssembly memory. About 3.8 MB of that
// memory is the module's data segments (CPython's static types, strings and tables), mostly as
// they were when the module started, and the reader downloads them once already in
// pyodide.asm.wasm. So the build publishes the memory XOR those segments: what Python never
// changed becomes zeros, and the compressed snapshot shrinks by about a quarter.
//
// XOR is its own inverse, so one function does both directions. The build
// (overrides/hooks/order_tool_snapshot.mjs) turns a snapshot into a delta; the worker
// (worker.js) turns the delta back once it has the WebAssembly bytes, before Pyodide copies the
// snapshot into memory. The header's magic number is swapped too ("\0snp" <-> "\0snx"): Pyodide
// refuses a delta that was never turned back, and the worker then starts Python the plain way.
//
// Reads only the module's data section (id 11), and stops on anything it does not know (passive
// segments, an offset that is not a constant): a wrong guess here would corrupt Python silently.
//
// Zero runs (packZeros, unpackZeros): about 20 of the delta's 31 MB are zeros, the memory Python
// never used or freed and the data it never changed. gzip makes them small on the wire, but
// inflating them took the worker about as long as everything else before the restore. So the
// build leaves them out before gzip: a header ("\0snz" and the full length), then each run of
// non-zero 256-byte blocks as its offset, its length and its bytes. The worker allocates the full
// length, which is zeros already, and copies the runs in.

const SNAPSHOT = [0x00, 0x73, 0x6e, 0x70]; // "\0snp", Pyodide's snapshot magic number, as stored
const DELTA = [0x00, 0x73, 0x6e, 0x78]; // "\0snx"
const PACKED = [0x00, 0x73, 0x6e, 0x7a]; // "\0snz"
const ZERO_BLOCK = 256; // finer finds few more zeros (20.6 MB at 256 bytes, 20.2 MB at 1 KB)
const WASM_MAGIC = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];
const DATA_SECTION = 11;
const ACTIVE_MEMORY_0 = 0;
const I32_CONST = 0x41;
const END = 0x0b;

/**
 * Turn a snapshot into its delta, or a delta back into the snapshot, in place.
 * @param {Uint8Array} snapshot the snapshot's bytes (header and memory)
 * @param {Uint8Array} wasm the bytes of pyodide.asm.wasm
 * @returns {"delta" | "snapshot"} what `snapshot` holds now
 */
export function toggleDelta(snapshot, wasm) {
  const isDelta = startsWith(snapshot, DELTA);
  if (!isDelta && !startsWith(snapshot, SNAPSHOT)) throw new Error("snapshot-delta: not a Pyodide snapshot");
  if (!startsWith(wasm, WASM_MAGIC)) throw new Error("snapshot-delta: not a WebAssembly module");
  const memoryStart = new DataView(snapshot.buffer, snapshot.byteOffset, 8).getUint32(4, true);
  const memory = snapshot.subarray(memoryStart);
  let segments = 0;
  for (const { offset, bytes } of dataSegments(wasm)) {
    if (offset + bytes.length > memory.length) throw new Error("snapshot-delta: a data segment lies outside the memory");
    for (let i = 0; i < bytes.length; i++) memory[offset + i] ^= bytes[i];
    segments++;
  }
  if (segments === 0) throw new Error("snapshot-delta: the module has no data segments");
  snapshot.set(isDelta ? SNAPSHOT : DELTA, 0);
  return isDelta ? "snapshot" : "delta";
}

/**
 * The bytes without their runs of zeros (whole ZERO_BLOCK blocks), for unpackZeros.
 * @param {Uint8Array} bytes
 * @returns {Uint8Array}
 */
export function packZeros(bytes) {
  const runs = [];
  let start = -1;
  for (let block = 0; block < bytes.length; block += ZERO_BLOCK) {
    const end = Math.min(block + ZERO_BLOCK, bytes.length);
    let zero = true;
    for (let i = block; i < end && zero; i++) zero = bytes[i] === 0;
    if (!zero && start < 0) start = block;
    if (zero && start >= 0) {
      runs.push([start, block]);
      start = -1;
    }
  }
  if (start >= 0) runs.push([start, bytes.length]);
  const packed = new Uint8Array(runs.reduce((size, [from, to]) => size + 8 + to - from, 8));
  const view = new DataView(packed.buffer);
  packed.set(PACKED, 0);
  view.setUint32(4, bytes.length, true);
  let position = 8;
  for (const [from, to] of runs) {
    view.setUint32(position, from, true);
    view.setUint32(position + 4, to - from, true);
    packed.set(bytes.subarray(from, to), position + 8);
    position += 8 + to - from;
  }
  return packed;
}

/**
 * The bytes packZeros packed, zeros back in place. Throws on anything that does not add up.
 * @param {Uint8Array} packed
 * @returns {Uint8Array}
 */
export function unpackZeros(packed) {
  if (packed.length < 8 || !startsWith(packed, PACKED)) throw new Error("snapshot-delta: not a packed snapshot");
  const view = new DataView(packed.buffer, packed.byteOffset, packed.byteLength);
  const bytes = new Uint8Array(view.getUint32(4, true));
  let position = 8;
  let filled = 0;
  while (position < packed.length) {
    if (position + 8 > packed.length) throw new Error("snapshot-delta: the packed snapshot ends early");
    const offset = view.getUint32(position, true);
    const length = view.getUint32(position + 4, true);
    const start = position + 8;
    if (offset < filled || offset + length > bytes.length || start + length > packed.length) {
      throw new Error("snapshot-delta: a run of the packed snapshot does not fit");
    }
    bytes.set(packed.subarray(start, start + length), offset);
    filled = offset + length;
    position = start + length;
  }
  return bytes;
}

function startsWith(bytes, prefix) {
  return prefix.every((byte, i) => bytes[i] === byte);
}

// The active data segments of memory 0: where each goes, and its bytes.
function* dataSegments(wasm) {
  const reader = new Reader(wasm, WASM_MAGIC.length);
  while (reader.position < wasm.length) {
    const id = reader.byte();
    const size = reader.unsigned();
    const end = reader.position + size;
    if (id === DATA_SECTION) {
      for (let count = reader.unsigned(); count > 0; count--) {
        const kind = reader.unsigned();
        if (kind !== ACTIVE_MEMORY_0 || reader.byte() !== I32_CONST) {
          throw new Error(`snapshot-delta: a data segment of a kind this does not know (${kind})`);
        }
        const offset = reader.signed() >>> 0;
        if (reader.byte() !== END) throw new Error("snapshot-delta: a data segment's offset is not a constant");
        const length = reader.unsigned();
        yield { offset, bytes: wasm.subarray(reader.position, reader.position + length) };
        reader.position += length;
      }
      if (reader.position !== end) throw new Error("snapshot-delta: the data section does not add up");
    }
    reader.position = end;
  }
}

// LEB128, as WebAssembly encodes its numbers.
class Reader {
  constructor(bytes, position) {
    this.bytes = bytes;
    this.position = position;
  }

  byte() {
    if (this.position >= this.bytes.length) throw new Error("snapshot-delta: the module ends early");
    return this.bytes[this.position++];
  }

  unsigned() {
    let result = 0;
    for (let shift = 0; ; shift += 7) {
      const byte = this.byte();
      result += (byte & 0x7f) * 2 ** shift;
      if (byte < 0x80) return result;
    }
  }

  signed() {
    let result = 0;
    let shift = 0;
    let byte;
    do {
      byte = this.byte();
      result += (byte & 0x7f) * 2 ** shift;
      shift += 7;
    } while (byte >= 0x80);
    return byte & 0x40 ? result - 2 ** shift : result;
  }
}
