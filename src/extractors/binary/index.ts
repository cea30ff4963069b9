/** Extractors for compiled artefacts: native executables and libraries (ELF, PE, Mach-O, WASM). */
export { nativeBinaryExtractor, isNativeCandidate } from './candidate.js';
export { extractNative, readNativeFacts, factsToComponents } from './native.js';
export { SIGNATURES, type Signature, type Signal } from './signatures.js';
export { StreamScanner, scanStream, scanBuffer, compileTable, type Hit } from './scanner.js';
