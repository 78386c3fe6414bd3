// Arguments as the module takes them and answers as it gives them, shared
// by tim.js and friendship.js.

// Whatever a page passes, a string or a number (a wrong type reads as
// empty, which the core refuses with a code).
export const str = (v) => (typeof v === 'string' ? v : '');
export const int = (v) => (Number.isFinite(Number(v)) ? Number(v) : 0);
// An answer's records of one kind (the module tags each).
export const records = (list, kind) => list.filter((r) => r.record === kind);
// A user id list, or one id.
export const ids = (list) => (Array.isArray(list) ? list : [list]);
