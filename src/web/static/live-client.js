// A small client of the graphql-transport-ws protocol (what graphql-ws speaks), for the widgets.
// connect(url, authorization) -> { request, subscribe, close }; onClose hears the close code.

/** Opens a connection; operations wait for the server's connection_ack. */
export function connect(url, authorization, { onClose } = {}) {
  const ws = new WebSocket(url, 'graphql-transport-ws');
  const sinks = new Map();
  const waiting = [];
  let acked = false;
  let nextId = 1;
  const send = (message) => ws.readyState === WebSocket.OPEN && ws.send(JSON.stringify(message));

  ws.onopen = () => send({ type: 'connection_init', payload: { authorization } });
  ws.onmessage = (event) => {
    const m = JSON.parse(event.data);
    const sink = sinks.get(m.id);
    if (m.type === 'connection_ack') {
      acked = true;
      waiting.splice(0).forEach((start) => start());
    } else if (m.type === 'ping') send({ type: 'pong' });
    else if (m.type === 'next') sink?.next(m.payload);
    else if (m.type === 'error') {
      sinks.delete(m.id);
      sink?.error(m.payload);
    } else if (m.type === 'complete') {
      sinks.delete(m.id);
      sink?.complete?.();
    }
  };
  ws.onclose = (event) => {
    const error = [{ message: `connection closed (${event.code}${event.reason ? `: ${event.reason}` : ''})`, closeCode: event.code }];
    for (const sink of sinks.values()) sink.error(error);
    sinks.clear();
    onClose?.(event);
  };

  /** Starts an operation; sink gets next(result), error(errors), complete(). Returns a stop function. */
  function subscribe(query, variables, sink) {
    const id = String(nextId++);
    sinks.set(id, sink);
    const start = () => sinks.has(id) && send({ id, type: 'subscribe', payload: { query, variables } });
    if (acked) start();
    else waiting.push(start);
    return () => {
      if (sinks.delete(id)) send({ id, type: 'complete' });
    };
  }

  /** A query over the socket: resolves with its data, rejects with its errors. */
  function request(query, variables) {
    return new Promise((resolve, reject) => {
      let result;
      subscribe(query, variables, {
        next: (r) => (result = r),
        error: reject,
        complete: () => (result?.errors?.length ? reject(result.errors) : resolve(result?.data)),
      });
    });
  }

  return { request, subscribe, close: () => ws.close(1000, 'Normal Closure') };
}
