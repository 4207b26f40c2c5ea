import { Result } from "antd";
import { Link } from "react-router-dom";
import { usePortal } from "./usePortal";
import { portalHome } from "./api";

/** NotFoundPage answers an address under the portal that is none of its pages. */
export default function NotFoundPage() {
  const { slug, t } = usePortal();
  return (
    <div data-testid="portal-not-found">
      <Result
        status="404"
        title={t("portal.notFound.title")}
        subTitle={t("portal.notFound.body")}
        extra={<Link to={portalHome(slug)}>{t("portal.article.back")}</Link>}
      />
    </div>
  );
}
