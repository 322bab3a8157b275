/** The part of `asterisk-manager` 0.2.0 (no types of its own) that pbx/ami.client.ts uses. */
declare module 'asterisk-manager' {
  /** A message as the library parses it: keys lower-cased, values as sent (repeated keys become arrays). */
  type RawAmiMessage = Record<string, string | string[] | Record<string, string> | undefined>;

  interface AsteriskManager {
    connect(port: number, host: string, callback?: () => void): void;
    login(callback: (error?: RawAmiMessage) => void): void;
    action(action: Record<string, string | number | boolean | Record<string, string> | undefined>, callback?: (error: RawAmiMessage | undefined, response?: RawAmiMessage) => void): string;
    disconnect(callback?: () => void): void;
    isConnected(): boolean;
    on(event: 'managerevent', listener: (event: RawAmiMessage) => void): void;
    on(event: 'close' | 'end' | 'connect', listener: () => void): void;
    on(event: 'error', listener: (error: Error) => void): void;
    removeAllListeners(): void;
  }

  namespace Manager {
    export { AsteriskManager };
  }
  function Manager(port?: number, host?: string, username?: string, password?: string, events?: boolean): AsteriskManager;
  export = Manager;
}
