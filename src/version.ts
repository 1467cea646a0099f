/** The library's version; it enters every result digest. A test keeps it equal to package.json's. */
export const LIBRARY_VERSION = "0.1.0";
