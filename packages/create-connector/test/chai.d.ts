// chai 6 ships no type declarations and @types/chai is not installed at the
// root; this shorthand lets the tests compile. Once @types/chai is present,
// TypeScript resolves the real declarations first and this file is inert.
declare module 'chai';
