// A UserSig (TLSSigAPIv2) made in the page, as TIM's demos do with
// GenerateTestUserSig: for development only. The secret key must never
// reach a browser in production; there the application's backend mints
// UserSigs (`tinyim-server usersig mint`, or Tencent's TLSSigAPIv2
// libraries) and the page fetches one after its own login.

const utf8 = (text) => new TextEncoder().encode(text);
const base64 = (bytes) => btoa(String.fromCharCode(...bytes));

export async function genTestUserSig({ SDKAppID, secretKey, userID, expire = 7 * 86400 }) {
  const time = Math.floor(Date.now() / 1000);
  const signed = `TLS.identifier:${userID}\nTLS.sdkappid:${SDKAppID}\nTLS.time:${time}\nTLS.expire:${expire}\n`;
  const key = await crypto.subtle.importKey('raw', utf8(secretKey), { name: 'HMAC', hash: 'SHA-256' }, false, [
    'sign',
  ]);
  const mac = new Uint8Array(await crypto.subtle.sign('HMAC', key, utf8(signed)));
  const json = JSON.stringify({
    'TLS.ver': '2.0',
    'TLS.identifier': userID,
    'TLS.sdkappid': SDKAppID,
    'TLS.expire': expire,
    'TLS.time': time,
    'TLS.sig': base64(mac),
  });
  // zlib, as TLSSigAPIv2 compresses: CompressionStream's 'deflate' is zlib.
  const zipped = new Blob([json]).stream().pipeThrough(new CompressionStream('deflate'));
  const bytes = new Uint8Array(await new Response(zipped).arrayBuffer());
  return base64(bytes).replace(/\+/g, '*').replace(/\//g, '-').replace(/=/g, '_');
}
