// Draws media/icon.png (128×128): a dark tile with two nested rounded frames — host and guest — and a
// bar between them for the VM-entry/VM-exit boundary. No image library: raw RGBA rows, zlib, PNG chunks.
import { writeFileSync } from "node:fs";
import { deflateSync } from "node:zlib";

const N = 128;
const px = Buffer.alloc(N * (N * 4 + 1));
const set = (x, y, [r, g, b, a]) => {
  const o = y * (N * 4 + 1) + 1 + x * 4;
  px[o] = r;
  px[o + 1] = g;
  px[o + 2] = b;
  px[o + 3] = a;
};
const inRounded = (x, y, x0, y0, x1, y1, rad) => {
  if (x < x0 || x > x1 || y < y0 || y > y1) return false;
  const cx = Math.min(Math.max(x, x0 + rad), x1 - rad);
  const cy = Math.min(Math.max(y, y0 + rad), y1 - rad);
  return (x - cx) ** 2 + (y - cy) ** 2 <= rad * rad;
};
const ring = (x, y, x0, y0, x1, y1, rad, w) =>
  inRounded(x, y, x0, y0, x1, y1, rad) && !inRounded(x, y, x0 + w, y0 + w, x1 - w, y1 - w, Math.max(rad - w, 1));
for (let y = 0; y < N; y++) {
  for (let x = 0; x < N; x++) {
    let c = [0, 0, 0, 0];
    if (inRounded(x, y, 0, 0, N - 1, N - 1, 20)) c = [24, 32, 48, 255];
    if (ring(x, y, 14, 14, 113, 113, 14, 8)) c = [0, 113, 197, 255]; // host (Intel blue)
    if (ring(x, y, 38, 38, 89, 89, 8, 7)) c = [120, 220, 120, 255]; // guest
    if (y >= 61 && y <= 66 && x >= 22 && x <= 37) c = [255, 196, 0, 255]; // VM entry
    if (y >= 61 && y <= 66 && x >= 90 && x <= 105) c = [255, 196, 0, 255]; // VM exit
    set(x, y, c);
  }
}
const crcTable = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
const crc32 = (buf) => {
  let c = 0xffffffff;
  for (const b of buf) c = crcTable[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
};
const chunk = (type, data) => {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const td = Buffer.concat([Buffer.from(type, "ascii"), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(td));
  return Buffer.concat([len, td, crc]);
};
const ihdr = Buffer.alloc(13);
ihdr.writeUInt32BE(N, 0);
ihdr.writeUInt32BE(N, 4);
ihdr[8] = 8; // bit depth
ihdr[9] = 6; // RGBA
const png = Buffer.concat([
  Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
  chunk("IHDR", ihdr),
  chunk("IDAT", deflateSync(px)),
  chunk("IEND", Buffer.alloc(0)),
]);
writeFileSync(new URL("../media/icon.png", import.meta.url), png);
