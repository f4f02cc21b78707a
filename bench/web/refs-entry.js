// esbuild entry of the benchmark page's reference libraries (bundled by bench/run.mjs into
// refs.js next to the page): the three npm QR libraries, and jsQR to check that every
// library's canvas really decodes to the text.
import * as QRCode from "qrcode";
import qrcodeGenerator from "qrcode-generator";
import { correction, generate } from "lean-qr";
import { toSvgSource } from "lean-qr/extras/svg";
import jsQR from "jsqr";

export { QRCode, jsQR, qrcodeGenerator };
export const lean = { correction, generate, toSvgSource };
