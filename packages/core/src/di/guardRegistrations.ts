import type { DependencyContainer, InjectionToken } from 'tsyringe';

function tokenName(token: InjectionToken<unknown>): string {
  return typeof token === 'function' ? token.name : String(token);
}

/**
 * Makes `container` refuse a second registration of a token it already holds
 * itself (tsyringe would otherwise let the last one win silently). Every
 * `register*` method goes through `register`, so guarding it covers them all.
 * Registrations inherited from a parent may still be overridden: that is what
 * a child container is for.
 * @internal
 */
export function guardRegistrations(container: DependencyContainer, label: string): DependencyContainer {
  const register = container.register.bind(container) as (...args: unknown[]) => DependencyContainer;
  const guarded = (token: InjectionToken<unknown>, ...rest: unknown[]): DependencyContainer => {
    if (container.isRegistered(token, false)) {
      throw new Error(`token "${tokenName(token)}" is already registered in the ${label} container; refusing to overwrite it`);
    }
    register(token, ...rest);
    return container;
  };
  (container as { register: unknown }).register = guarded;
  return container;
}
