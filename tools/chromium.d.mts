export declare const CHROMIUM_CANDIDATES: string[];
/** The Chromium executable: $CHROMIUM_PATH, else the first system install found, else undefined. */
export declare function findChromium(): string | undefined;
/** One line telling how to get a Chromium. */
export declare const CHROMIUM_HELP: string;
/** Launch flags that give WebGPU on SwiftShader in headless Chromium. */
export declare const CHROMIUM_ARGS: string[];
