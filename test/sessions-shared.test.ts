import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { after, before, describe, test } from 'node:test';
import { createApp } from '../server/app.js';
import { csrfFrom, signedIn } from './helpers/admin.js';
import { startStack, type Stack } from './helpers/stack.js';

describe('workspace sessions across app instances', () => {
  let stack: Stack;
  let second: Server;
  let secondUrl: string;
  let stopSecond: () => Promise<void>;

  before(async () => {
    stack = await startStack();
    const instance = await stack.startInstance();
    second = createApp(instance.services).listen(0, '127.0.0.1');
    await new Promise((resolve) => second.once('listening', resolve));
    secondUrl = `http://127.0.0.1:${(second.address() as AddressInfo).port}`;
    stopSecond = async () => {
      second.closeAllConnections();
      await new Promise((resolve) => second.close(resolve));
    };
  });
  after(async () => {
    await stopSecond();
    await stack.stop();
  });

  const cookieHeader = (cookies: Map<string, string>) => [...cookies].map(([k, v]) => `${k}=${v}`).join('; ');

  test('when someone signs in on one instance, then another instance knows them, and signing out on it ends the session everywhere', async () => {
    const client = await signedIn(stack, 'organiser');
    const onSecond = await fetch(`${secondUrl}/admin`, { headers: { cookie: cookieHeader(client.cookies) }, redirect: 'manual' });
    const html = await onSecond.text();
    assert.equal(onSecond.status, 200);
    assert.ok(html.includes(client.email), 'the second instance shows who is signed in');

    const logout = await fetch(`${secondUrl}/admin/logout`, {
      method: 'POST',
      headers: { cookie: cookieHeader(client.cookies), 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ _csrf: csrfFrom(html) }).toString(),
      redirect: 'manual',
    });
    assert.equal(logout.status, 303);

    const back = await client.get('/admin');
    assert.equal(back.status, 303);
    assert.match(back.location ?? '', /^\/admin\/login/);
  });
});
