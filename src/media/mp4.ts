import { open } from 'node:fs/promises';

/** Whether the bytes start like an ISO-BMFF/MP4 file (`ftyp` box at byte 4). */
export function isMp4(head: Uint8Array): boolean {
  return head.length >= 8 && Buffer.from(head.subarray(4, 8)).toString('latin1') === 'ftyp';
}

/** Reads the first bytes of a file and checks the MP4 signature. */
export async function isMp4File(path: string): Promise<boolean> {
  const handle = await open(path, 'r');
  try {
    const head = Buffer.alloc(8);
    const { bytesRead } = await handle.read(head, 0, 8, 0);
    return isMp4(head.subarray(0, bytesRead));
  } finally {
    await handle.close();
  }
}

/**
 * Duration in seconds from the `moov/mvhd` box, walking box headers only (works whether `moov` is at
 * the front, as with `+faststart`, or at the end). Null when the file has no readable `mvhd`.
 */
export async function readMp4Duration(path: string): Promise<number | null> {
  const handle = await open(path, 'r');
  try {
    const { size } = await handle.stat();
    const header = Buffer.alloc(16);
    const readAt = async (pos: number, len: number) => {
      const buf = Buffer.alloc(len);
      const { bytesRead } = await handle.read(buf, 0, len, pos);
      return buf.subarray(0, bytesRead);
    };
    const findBox = async (start: number, end: number, type: string) => {
      let pos = start;
      while (pos + 8 <= end) {
        const { bytesRead } = await handle.read(header, 0, 16, pos);
        if (bytesRead < 8) return null;
        let boxSize = header.readUInt32BE(0);
        let headerSize = 8;
        if (boxSize === 1 && bytesRead >= 16) {
          boxSize = Number(header.readBigUInt64BE(8));
          headerSize = 16;
        } else if (boxSize === 0) {
          boxSize = end - pos;
        }
        if (boxSize < headerSize) return null;
        if (header.toString('latin1', 4, 8) === type) return { body: pos + headerSize, end: pos + boxSize };
        pos += boxSize;
      }
      return null;
    };
    const moov = await findBox(0, size, 'moov');
    if (!moov) return null;
    const mvhd = await findBox(moov.body, moov.end, 'mvhd');
    if (!mvhd) return null;
    const body = await readAt(mvhd.body, 32);
    if (body.length < 20) return null;
    const version = body[0];
    const timescale = version === 1 ? body.readUInt32BE(20) : body.readUInt32BE(12);
    const duration = version === 1 ? Number(body.readBigUInt64BE(24)) : body.readUInt32BE(16);
    return timescale > 0 ? duration / timescale : null;
  } finally {
    await handle.close();
  }
}
