// The part of jStat (a CommonJS package without its own types) that Rapport uses.
declare module 'jstat' {
  export const jStat: {
    studentt: {
      /** Inverse CDF of Student's t with `dof` degrees of freedom. */
      inv(p: number, dof: number): number;
      /** CDF of Student's t with `dof` degrees of freedom. */
      cdf(x: number, dof: number): number;
    };
  };
}
